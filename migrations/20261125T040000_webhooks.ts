import { type Kysely, sql } from 'kysely';

/**
 * Webhook apply (design.md flow 4):
 *  - `webhook_user_reads`: when the app last read each Procore user's state for a webhook. Two
 *    jobs for one user may overlap (a burst is coalesced to one waiting job, which may start while
 *    the previous one still runs); the apply whose Procore read started later wins, and the row
 *    lock on this table serialises the two applies.
 *  - a partial index for "this user's deliveries still waiting" (marked applied by the job).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_user_reads')
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('procore_user_id', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_user_reads_pkey', ['company_id', 'procore_user_id'])
    .execute();
  await sql`create index webhook_deliveries_waiting_idx on webhook_deliveries (company_id, resource_id)
    where outcome = 'queued'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists webhook_deliveries_waiting_idx`.execute(db);
  await db.schema.dropTable('webhook_user_reads').ifExists().execute();
}
