import { type Kysely, sql } from 'kysely';

/**
 * The mass-deactivation safeguard for webhooks, and cancelled reviews honoured (server/sync):
 *  - `deactivation_guard`: what the safeguard remembers about one Procore user of a company, one
 *    row per user in one of three states:
 *      `applied`   — a webhook deactivated the worker at `at`: counts against the threshold over
 *                    the rolling window (and is held after all if the window trips);
 *      `held`      — listed for review in run `run_id` (a sync's or the webhooks' review);
 *      `cancelled` — that review was cancelled: the worker stays active while Procore's
 *                    `updated_at` for the user is still `procore_updated_at`.
 *    `run_id` is not a foreign key: a cancellation outlives the retention of its run.
 *  - `sync_runs_one_webhook_review`: at most one webhook review waiting per company, so every
 *    deactivation held by webhook joins it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deactivation_guard')
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('procore_user_id', 'bigint', (c) => c.notNull())
    .addColumn('worker_id', 'bigint', (c) => c.notNull().references('workers.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('applied', 'held', 'cancelled')`))
    .addColumn('run_id', 'bigint')
    .addColumn('procore_updated_at', 'timestamptz')
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('cancelled_by_name', 'text')
    .addPrimaryKeyConstraint('deactivation_guard_pkey', ['company_id', 'procore_user_id'])
    .execute();
  await sql`create index deactivation_guard_applied_idx on deactivation_guard (company_id, at)
    where state = 'applied'`.execute(db);
  await sql`create index deactivation_guard_run_idx on deactivation_guard (company_id, run_id)
    where run_id is not null`.execute(db);
  await sql`create unique index sync_runs_one_webhook_review on sync_runs (company_id)
    where trigger = 'webhook' and status = 'needs_review'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists sync_runs_one_webhook_review`.execute(db);
  await db.schema.dropTable('deactivation_guard').ifExists().execute();
}
