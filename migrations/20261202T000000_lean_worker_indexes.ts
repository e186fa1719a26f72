import { type Kysely, sql } from 'kysely';

/**
 * Fewer things to keep up on every worker a sync writes (a first sync writes one per user):
 *  - `workers.phone_digits` and its index go: every phone is stored as E.164 ("+" and digits), so
 *    the Workers page's search compares a number's digits with the phone itself, and the index
 *    (a pattern index) never served that search, which looks for the digits anywhere in the number;
 *  - `workers_company_email_idx` goes: the sync matches emails case-insensitively through
 *    `workers_company_lower_email_idx`, and nothing looks a worker up by its email as written.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists workers_company_phone_digits_idx`.execute(db);
  await sql`alter table workers drop column if exists phone_digits`.execute(db);
  await sql`drop index if exists workers_company_email_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index workers_company_email_idx on workers (company_id, email)`.execute(db);
  await sql`alter table workers add column phone_digits text
    generated always as (regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) stored`.execute(db);
  await sql`create index workers_company_phone_digits_idx on workers (company_id, phone_digits text_pattern_ops)`.execute(
    db,
  );
}
