import { type Kysely, sql } from 'kysely';

/**
 * Alerts (server/alerts, README "Alerts"):
 *  - `company_alerts`: one row per problem of a company, from when it started to when it cleared,
 *    with when each of its two e-mails (it started, it cleared) went out; one open row per company
 *    and kind of problem, so a problem that persists is never announced twice;
 *  - `alert_recipients`: the company admins who signed in, with the e-mail Procore gave for them
 *    (`/me` login): who the e-mails go to;
 *  - an index for "how have the company's webhook changes fared lately" (server/webhooks).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('company_alerts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    // When the e-mail saying it started (then cleared) went out, or was settled with nothing to send.
    .addColumn('start_notice_at', 'timestamptz')
    .addColumn('resolve_notice_at', 'timestamptz')
    // A process sending one of its e-mails holds it until then (two processes never send one twice).
    .addColumn('notice_claimed_until', 'timestamptz')
    .execute();
  await sql`create unique index company_alerts_one_open on company_alerts (company_id, code)
    where resolved_at is null`.execute(db);
  await sql`create index company_alerts_notice_due on company_alerts (company_id)
    where start_notice_at is null or (resolved_at is not null and resolve_notice_at is null)`.execute(db);

  await db.schema
    .createTable('alert_recipients')
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('procore_user_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('alert_recipients_pkey', ['company_id', 'procore_user_id'])
    .execute();

  await sql`create index webhook_deliveries_processed_idx on webhook_deliveries (company_id, processed_at)
    where outcome in ('applied', 'failed')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists webhook_deliveries_processed_idx`.execute(db);
  await db.schema.dropTable('alert_recipients').ifExists().execute();
  await db.schema.dropTable('company_alerts').ifExists().execute();
}
