import type { Kysely } from 'kysely';

/**
 * What the user sync engine adds to the initial schema:
 *  - `job_id`, `heartbeat_at`: a run's pg-boss job and its last sign of life, so a run left
 *    `running` by a crashed process is recognised and marked failed (design.md flow 3).
 *  - `would_deactivate`, `reviewed_*`: the safeguard's count and who confirmed or cancelled it.
 *  - an index for a run's entries filtered by action (the logs page).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sync_runs')
    .addColumn('job_id', 'text')
    .addColumn('heartbeat_at', 'timestamptz')
    .addColumn('would_deactivate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reviewed_by_name', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('sync_run_entries_run_action_idx')
    .on('sync_run_entries')
    .columns(['run_id', 'action'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sync_run_entries_run_action_idx').ifExists().execute();
  await db.schema
    .alterTable('sync_runs')
    .dropColumn('job_id')
    .dropColumn('heartbeat_at')
    .dropColumn('would_deactivate')
    .dropColumn('reviewed_by_name')
    .dropColumn('reviewed_at')
    .execute();
}
