import { type Kysely, sql } from 'kysely';

/**
 * Timesheets out to Procore (design.md flow 6):
 *  - `timesheets`: times of day are wall-clock times on the timesheet's date (Procore takes
 *    `HH:MM`, §5.2), so `time` rather than `timestamptz`; approval (pending/approved) is apart from
 *    the send state (unsent, sending = a create may have landed without an answer, sent, changed
 *    since sent, skipped, failed); the fingerprint of what was last sent makes a resend of an
 *    unchanged timesheet cost no Procore request; a timesheet deleted after it was sent stays as a
 *    tombstone until a send has logged that its Procore entry is left in place.
 *  - `company_settings`: Only Approved and Include Sub Workers (Auto Sync Time Cards is the
 *    existing `timesheet_sync_enabled`).
 *  - `sync_run_entries`: a timesheet run's entries name a timesheet, not a Procore user.
 *  - `sync_runs`: what a manual send covered (project and dates).
 *  - `timesheet_send_state`: the hourly send's claim, so it runs once an hour across processes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table timesheets drop constraint if exists timesheets_status_check`.execute(db);
  await sql`update timesheets set status = 'unsent' where status in ('draft', 'pending')`.execute(db);
  await sql`alter table timesheets alter column status set default 'unsent'`.execute(db);
  await sql`alter table timesheets add constraint timesheets_status_check
    check (status in ('unsent', 'sending', 'sent', 'changed', 'skipped', 'failed'))`.execute(db);
  await sql`alter table timesheets alter column time_in type time using time_in::time`.execute(db);
  await sql`alter table timesheets alter column time_out type time using time_out::time`.execute(db);
  await db.schema
    .alterTable('timesheets')
    .addColumn('approval', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`approval in ('pending', 'approved')`),
    )
    .addColumn('sent_fingerprint', 'text')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('deletion_logged_at', 'timestamptz')
    .execute();
  await sql`create unique index timesheets_one_per_worker_project_day on timesheets
    (company_id, worker_id, procore_project_id, date) where deleted_at is null`.execute(db);
  await sql`create index timesheets_company_project_date_idx on timesheets
    (company_id, procore_project_id, date)`.execute(db);

  await db.schema
    .alterTable('company_settings')
    .addColumn('timesheets_only_approved', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('timesheets_include_sub_workers', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await sql`alter table sync_run_entries alter column procore_user_id drop not null`.execute(db);
  await db.schema
    .alterTable('sync_run_entries')
    .addColumn('timesheet_id', 'bigint')
    .addColumn('procore_project_id', 'bigint')
    .addColumn('project_name', 'text')
    .addColumn('work_date', 'date')
    .addColumn('hours', 'text')
    .addColumn('procore_entry_id', 'bigint')
    .execute();

  await db.schema
    .alterTable('sync_runs')
    .addColumn('scope_project_id', 'bigint')
    .addColumn('scope_project_name', 'text')
    .addColumn('scope_from', 'date')
    .addColumn('scope_to', 'date')
    .execute();
  await sql`create index sync_runs_company_kind_idx on sync_runs (company_id, kind, id desc)`.execute(db);

  await db.schema
    .createTable('timesheet_send_state')
    .addColumn('company_id', 'bigint', (c) => c.primaryKey().references('companies.id').onDelete('cascade'))
    .addColumn('last_auto_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('timesheet_send_state').ifExists().execute();
  await sql`drop index if exists sync_runs_company_kind_idx`.execute(db);
  await db.schema
    .alterTable('sync_runs')
    .dropColumn('scope_project_id')
    .dropColumn('scope_project_name')
    .dropColumn('scope_from')
    .dropColumn('scope_to')
    .execute();
  await sql`delete from sync_run_entries where procore_user_id is null`.execute(db);
  await db.schema
    .alterTable('sync_run_entries')
    .dropColumn('timesheet_id')
    .dropColumn('procore_project_id')
    .dropColumn('project_name')
    .dropColumn('work_date')
    .dropColumn('hours')
    .dropColumn('procore_entry_id')
    .execute();
  await sql`alter table sync_run_entries alter column procore_user_id set not null`.execute(db);
  await db.schema
    .alterTable('company_settings')
    .dropColumn('timesheets_only_approved')
    .dropColumn('timesheets_include_sub_workers')
    .execute();
  await sql`drop index if exists timesheets_company_project_date_idx`.execute(db);
  await sql`drop index if exists timesheets_one_per_worker_project_day`.execute(db);
  await sql`delete from timesheets where deleted_at is not null`.execute(db);
  await db.schema
    .alterTable('timesheets')
    .dropColumn('approval')
    .dropColumn('sent_fingerprint')
    .dropColumn('deleted_at')
    .dropColumn('deletion_logged_at')
    .execute();
  await sql`alter table timesheets alter column time_in type timestamptz using null`.execute(db);
  await sql`alter table timesheets alter column time_out type timestamptz using null`.execute(db);
  await sql`alter table timesheets drop constraint if exists timesheets_status_check`.execute(db);
  await sql`update timesheets set status = case status when 'sent' then 'sent' when 'failed' then 'failed'
    else 'pending' end`.execute(db);
  await sql`alter table timesheets alter column status set default 'draft'`.execute(db);
  await sql`alter table timesheets add constraint timesheets_status_check
    check (status in ('draft', 'pending', 'sent', 'failed'))`.execute(db);
}
