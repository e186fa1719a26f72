import { type Kysely, sql } from 'kysely';

/**
 * A worker's history and the Workers page's search:
 *  - `sync_run_entries.changed_by_*`: for a change that arrived by webhook, the Procore user who
 *    made it (the event's `user_id`) and their name as known when it was applied;
 *  - indexes for "every entry about this worker" (by worker, and by Procore user for entries
 *    recorded before the worker existed, such as skips);
 *  - `workers.phone_digits`: the phone's digits, kept by the database, so a search for a number
 *    as people write it ("(779) 555-0177", "+1 779 555 0177") compares digits with digits.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sync_run_entries')
    .addColumn('changed_by_user_id', 'bigint')
    .addColumn('changed_by_name', 'text')
    .execute();
  await sql`create index sync_run_entries_worker_idx on sync_run_entries (company_id, worker_id, id)
    where worker_id is not null`.execute(db);
  await sql`create index sync_run_entries_procore_user_idx on sync_run_entries (company_id, procore_user_id, id)
    where procore_user_id is not null`.execute(db);
  await sql`alter table workers add column phone_digits text
    generated always as (regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) stored`.execute(db);
  await sql`create index workers_company_phone_digits_idx on workers (company_id, phone_digits text_pattern_ops)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists workers_company_phone_digits_idx`.execute(db);
  await sql`alter table workers drop column if exists phone_digits`.execute(db);
  await sql`drop index if exists sync_run_entries_procore_user_idx`.execute(db);
  await sql`drop index if exists sync_run_entries_worker_idx`.execute(db);
  await db.schema
    .alterTable('sync_run_entries')
    .dropColumn('changed_by_user_id')
    .dropColumn('changed_by_name')
    .execute();
}
