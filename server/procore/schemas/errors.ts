import { z } from 'zod';
import { storableString } from '../../db/storable-text';

/** Messages end up in stored sync logs and job errors: bounded, and storable (storable-text.ts). */
const MESSAGE_MAX = 1000;

/**
 * Error bodies (procore-api.md §8, §10.5). Parsed leniently: they only feed messages, so a body
 * of another shape yields no messages instead of an error.
 *  - v1.x: `{code, message, fields, reason, error}`, or `{errors: {field: [msg]}}` / `{errors: "…"}`
 *  - v2.0: `{error: {code, message, details: [{reason_code, message, source}]}}`
 */
export const v1ErrorSchema = z.looseObject({
  message: z.string().nullish(),
  error: z.union([z.string(), z.looseObject({})]).nullish(),
  reason: z.string().nullish(),
  fields: z.unknown().optional(),
  errors: z.unknown().optional(),
});

export const v2ErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.string().nullish(),
    message: z.string().nullish(),
    details: z
      .array(z.looseObject({ message: z.string().nullish(), source: z.unknown().optional() }))
      .nullish(),
  }),
});

/** Every human-readable message in a Procore error body, in order, without duplicates. */
export function errorMessages(body: unknown): string[] {
  const out: string[] = [];
  const add = (m: unknown, prefix = '') => {
    if (typeof m !== 'string') return;
    const text = storableString(m, MESSAGE_MAX).trim();
    if (text !== '') out.push(storableString(prefix, MESSAGE_MAX) + text);
  };
  const v2 = v2ErrorSchema.safeParse(body);
  if (v2.success) {
    add(v2.data.error.message);
    for (const d of v2.data.error.details ?? []) add(d.message);
    return [...new Set(out)];
  }
  const v1 = v1ErrorSchema.safeParse(body);
  if (!v1.success) {
    if (typeof body === 'string') add(body);
    return out;
  }
  add(v1.data.message);
  add(typeof v1.data.error === 'string' ? v1.data.error : undefined);
  add(v1.data.reason);
  const errors = v1.data.errors;
  if (typeof errors === 'string') add(errors);
  else if (Array.isArray(errors)) for (const e of errors) add(e);
  else if (errors && typeof errors === 'object') {
    for (const [field, msgs] of Object.entries(errors)) {
      for (const m of Array.isArray(msgs) ? msgs : [msgs]) add(m, field === 'base' ? '' : `${field} `);
    }
  }
  return [...new Set(out)];
}
