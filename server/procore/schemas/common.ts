import { z } from 'zod';
import { storableString } from '../../db/storable-text';
import { ProcoreSchemaError } from '../errors';

/**
 * Shared pieces of the Procore response schemas. Objects are `z.looseObject`: fields Procore
 * adds pass through untouched (procore-api.md §1.5, resources evolve by adding fields); only the
 * fields the product reads are declared, and those are checked strictly.
 */

/**
 * A Procore id as a decimal string. v1.x sends integers, v2.0 webhooks send strings (§10.1);
 * ids past 2^53 reach us already quoted by `parseJsonSafe`.
 */
export const procoreId = z.union([
  z.string().regex(/^\d+$/, 'expected a numeric id'),
  z
    .number()
    .int()
    .nonnegative()
    .refine((n) => Number.isSafeInteger(n), 'id is too large to be exact')
    .transform(String),
]);

/** Optional and nullable: a field the product may show but does not depend on. */
export const optionalText = z.string().nullish();

/** ISO 8601 timestamp as Procore sends it; kept as text (callers compare with `Date.parse`). */
export const timestamp = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 date-time');

export interface ParseContext {
  /** How the value is named in an error, e.g. `users[3]`. */
  label: string;
  method?: string;
  path?: string;
}

function describePath(label: string, path: readonly PropertyKey[]): string {
  let out = label;
  // Keys come from Procore's JSON: the error naming them is logged and stored.
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : `.${storableString(String(key), 100)}`;
  return out;
}

/** Parses `value` or throws a `ProcoreSchemaError` naming the first bad field. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  context: ParseContext,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = describePath(context.label, issue?.path ?? []);
  const problem = (issue?.message ?? 'invalid value').replace(/^Invalid input: /, '');
  throw new ProcoreSchemaError(field, problem, { method: context.method, path: context.path });
}

/**
 * Parses an array item by item, so the error names the index (`users[3].is_employee`) and a
 * non-array is reported as such.
 */
export function parseArrayWith<S extends z.ZodType>(
  item: S,
  value: unknown,
  context: ParseContext,
): z.output<S>[] {
  if (!Array.isArray(value)) {
    throw new ProcoreSchemaError(
      context.label,
      `expected a list, received ${value === null ? 'null' : typeof value}`,
      {
        method: context.method,
        path: context.path,
      },
    );
  }
  return value.map((v, i) => parseWith(item, v, { ...context, label: `${context.label}[${i}]` }));
}
