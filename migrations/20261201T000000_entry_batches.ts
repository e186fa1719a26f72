import { type Kysely, sql } from 'kysely';

/**
 * `sync_run_entry_batches`: the entries of a manual or hourly run that are never edited and tell
 * no field change (people created, found unchanged, or skipped with a reason), kept a few thousand
 * to a row instead of a row each, so a run in which nothing changed writes a handful of rows. `entries` is a JSON array of
 * `[entryId, procoreUserId, workerId, name, email, action, reasonCode, reason, warnings]`; each
 * entry id is drawn from `sync_run_entries`' own sequence, so a run's list reads both tables as
 * one, in one order, paged by id (`first_entry_id`/`last_entry_id` bound a row's ids).
 * `notable` rows hold creations, skips, warnings and reasons (a worker's history lists them, found
 * through `procore_user_ids`); the others hold plain "unchanged" people only.
 *
 * Also drops `sync_run_entries_company_user_idx`: `sync_run_entries_procore_user_idx`
 * (company, Procore user, id) answers the same lookups, and each index costs every insert.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_run_entry_batches')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('sync_runs.id').onDelete('cascade'))
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('first_entry_id', 'bigint', (c) => c.notNull())
    .addColumn('last_entry_id', 'bigint', (c) => c.notNull())
    .addColumn('notable', 'boolean', (c) => c.notNull())
    .addColumn('procore_user_ids', sql`bigint[]`, (c) => c.notNull())
    .addColumn('entries', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index sync_run_entry_batches_run_idx on sync_run_entry_batches (run_id, last_entry_id)`.execute(
    db,
  );
  await sql`create index sync_run_entry_batches_person_idx on sync_run_entry_batches
    using gin (procore_user_ids) where notable`.execute(db);
  await sql`drop index if exists sync_run_entries_company_user_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists sync_run_entries_company_user_idx
    on sync_run_entries (company_id, procore_user_id)`.execute(db);
  await db.schema.dropTable('sync_run_entry_batches').ifExists().execute();
}
