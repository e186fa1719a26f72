import { type RawBuilder, sql } from 'kysely';

/**
 * `column = any($1::bigint[])`: a list of a page's keys as one array parameter instead of one
 * parameter each (`in ($1, …, $1000)`). The embedded database encodes every parameter in
 * JavaScript and PostgreSQL plans each one; as an array a lookup of 1,000 keys cost about half.
 * Both drivers send a JavaScript array as a PostgreSQL array literal.
 */
export function anyOf(values: Iterable<string>, type: 'bigint' | 'text'): RawBuilder<string> {
  return sql<string>`any(${[...values]}::${sql.raw(type)}[])`;
}
