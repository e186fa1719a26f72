import { type Kysely, sql } from 'kysely';

/**
 * Crash recovery and retention:
 *  - `sync_runs.owner_key`: the process lease (server/db/process-lease.ts) of the process that
 *    queued or is working the run, so a run whose process is gone is recognised at once;
 *  - indexes for the daily retention purge (settled deliveries by age, finished runs by age).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('owner_key', 'bigint').execute();
  await sql`create index webhook_deliveries_settled_idx on webhook_deliveries (received_at)
    where outcome <> 'queued'`.execute(db);
  await sql`create index sync_runs_company_finished_idx on sync_runs (company_id, id)
    where status not in ('queued', 'running', 'needs_review')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists sync_runs_company_finished_idx`.execute(db);
  await sql`drop index if exists webhook_deliveries_settled_idx`.execute(db);
  await db.schema.alterTable('sync_runs').dropColumn('owner_key').execute();
}
