import type { z } from 'zod';
import {
  hasUnstorableCharacters,
  isLongerThan,
  removeUnstorableCharacters,
  truncateText,
} from '../../db/storable-text';

/**
 * Text from Procore is made storable once, where a response is parsed, so nothing behind the
 * client meets a NUL that fails a whole page's write, a lone surrogate silently turned into
 * U+FFFD, or a 100,000-character name. What was changed is kept on the parsed object as
 * `_sanitized`: sentences an admin can read on the user's sync log entry.
 *
 * Two kinds of field:
 *  - `text` (names, titles): the offending characters are removed and an overlong value is
 *    shortened; what is left is still the person's name.
 *  - `identifier` (email, phone, employee ID): never altered. Removing a character or cutting an
 *    address gives a different, possibly someone else's, value, and these are what workers are
 *    matched by. A value that cannot be stored as it is becomes null instead.
 */

export const SANITIZED_FIELD = '_sanitized';

export interface StorableField {
  /** How the field is named in a warning, e.g. "First name". */
  label: string;
  /** Longest value kept, in characters. */
  max: number;
  kind: 'text' | 'identifier';
}

export const NAME_MAX = 255;
/** RFC 5321's 64-character local part, "@" and 255-character domain. */
export const EMAIL_MAX = 320;
export const PHONE_MAX = 64;

export const nameField = (label: string): StorableField => ({ label, max: NAME_MAX, kind: 'text' });
export const identifierField = (label: string, max = NAME_MAX): StorableField => ({
  label,
  max,
  kind: 'identifier',
});

export interface StorableValue {
  value: string | null;
  warnings: string[];
}

/** One value made storable, with a warning for each change. */
export function storableValue(value: string, field: StorableField): StorableValue {
  const warnings: string[] = [];
  if (field.kind === 'identifier') {
    if (hasUnstorableCharacters(value)) {
      warnings.push(`${field.label} contained a character that cannot be stored; it was left out`);
      return { value: null, warnings };
    }
    if (isLongerThan(value, field.max)) {
      warnings.push(
        `${field.label} was longer than ${field.max} characters, too long to be valid; it was left out`,
      );
      return { value: null, warnings };
    }
    return { value, warnings };
  }
  let out = value;
  if (hasUnstorableCharacters(out)) {
    out = removeUnstorableCharacters(out);
    warnings.push(`${field.label} contained a character that cannot be stored; it was removed`);
  }
  if (isLongerThan(out, field.max)) {
    out = truncateText(out, field.max);
    warnings.push(`${field.label} was longer than ${field.max} characters; it was shortened`);
  }
  return { value: out, warnings };
}

export type Sanitized<T> = T & {
  /** What was changed to make the object's text storable; absent when nothing was. */
  _sanitized?: string[];
};

/**
 * Applies `fields` to a parsed object: string values are made storable, other values (null,
 * absent) are left alone. Returns a new object; `_sanitized` is set only when something changed,
 * and never taken from the input.
 */
export function sanitizeFields<T extends Record<string, unknown>>(
  value: T,
  fields: Readonly<Record<string, StorableField>>,
): Sanitized<T> {
  const out: Record<string, unknown> = { ...value };
  delete out[SANITIZED_FIELD];
  const warnings: string[] = [];
  for (const [key, field] of Object.entries(fields)) {
    const v = out[key];
    if (typeof v !== 'string') continue;
    const result = storableValue(v, field);
    if (result.warnings.length === 0) continue;
    out[key] = result.value;
    warnings.push(...result.warnings);
  }
  if (warnings.length > 0) out[SANITIZED_FIELD] = warnings;
  return out as Sanitized<T>;
}

/** A schema whose output has `fields` made storable (see `sanitizeFields`). */
export function withStorableText<S extends z.ZodType<Record<string, unknown>>>(
  schema: S,
  fields: Readonly<Record<string, StorableField>>,
) {
  return schema.transform((value): Sanitized<z.output<S>> => sanitizeFields(value, fields));
}

/**
 * The warnings recorded on a parsed Procore object (empty when nothing was changed). The sync
 * puts these on the user's log entry.
 */
export function sanitizationWarnings(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  const w = (value as Record<string, unknown>)[SANITIZED_FIELD];
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === 'string') : [];
}
