import { type Kysely, sql } from 'kysely';

/**
 * One owner per table:
 *  - `company_settings` (server/settings) takes the per-company switches out of `companies`;
 *  - `user_sync_state` (server/sync) takes the user sync's watermark and autosync claim;
 *  - `sync_runs.kind` lets every kind of run (user sync, timesheet send) share one run table,
 *    with one queued or running run per company *and kind*.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('company_settings')
    .addColumn('company_id', 'bigint', (c) => c.primaryKey().references('companies.id').onDelete('cascade'))
    .addColumn('user_sync_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('sync_classifications', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('autosync', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('autosync_minute', 'smallint', (c) =>
      c.notNull().defaultTo(0).check(sql`autosync_minute between 0 and 59`),
    )
    .addColumn('timesheet_sync_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into company_settings
      (company_id, user_sync_enabled, sync_classifications, autosync, autosync_minute, timesheet_sync_enabled)
    select id, user_sync_enabled, sync_classifications, autosync, autosync_minute, timesheet_sync_enabled
    from companies`.execute(db);
  await sql`create index company_settings_autosync_idx on company_settings (autosync_minute)
    where autosync and user_sync_enabled`.execute(db);

  await db.schema
    .createTable('user_sync_state')
    .addColumn('company_id', 'bigint', (c) => c.primaryKey().references('companies.id').onDelete('cascade'))
    .addColumn('users_watermark', 'timestamptz') // newest Procore updated_at a sync has read through
    .addColumn('last_full_sync_at', 'timestamptz')
    .addColumn('last_auto_sync_at', 'timestamptz')
    .execute();
  await sql`insert into user_sync_state (company_id, users_watermark, last_full_sync_at, last_auto_sync_at)
    select id, users_watermark, last_full_sync_at, last_auto_sync_at from companies`.execute(db);

  await db.schema
    .alterTable('companies')
    .dropColumn('users_watermark')
    .dropColumn('last_full_sync_at')
    .dropColumn('last_auto_sync_at')
    .dropColumn('autosync_minute')
    .dropColumn('user_sync_enabled')
    .dropColumn('sync_classifications')
    .dropColumn('autosync')
    .dropColumn('timesheet_sync_enabled')
    .execute();

  await db.schema
    .alterTable('sync_runs')
    .addColumn('kind', 'text', (c) =>
      c.notNull().defaultTo('users').check(sql`kind in ('users', 'timesheets')`),
    )
    .execute();
  await sql`drop index sync_runs_one_active_per_company`.execute(db);
  await sql`create unique index sync_runs_one_active_per_company_kind on sync_runs (company_id, kind)
    where status in ('queued', 'running') and trigger <> 'webhook'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists sync_runs_one_active_per_company_kind`.execute(db);
  await sql`delete from sync_runs where kind <> 'users'`.execute(db);
  await db.schema.alterTable('sync_runs').dropColumn('kind').execute();
  await sql`create unique index sync_runs_one_active_per_company on sync_runs (company_id)
    where status in ('queued', 'running') and trigger <> 'webhook'`.execute(db);

  await db.schema
    .alterTable('companies')
    .addColumn('users_watermark', 'timestamptz')
    .addColumn('last_full_sync_at', 'timestamptz')
    .addColumn('last_auto_sync_at', 'timestamptz')
    .addColumn('autosync_minute', 'smallint', (c) =>
      c.notNull().defaultTo(0).check(sql`autosync_minute between 0 and 59`),
    )
    .addColumn('user_sync_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('sync_classifications', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('autosync', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('timesheet_sync_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`update companies c set users_watermark = s.users_watermark,
      last_full_sync_at = s.last_full_sync_at, last_auto_sync_at = s.last_auto_sync_at
    from user_sync_state s where s.company_id = c.id`.execute(db);
  await sql`update companies c set autosync_minute = s.autosync_minute,
      user_sync_enabled = s.user_sync_enabled, sync_classifications = s.sync_classifications,
      autosync = s.autosync, timesheet_sync_enabled = s.timesheet_sync_enabled
    from company_settings s where s.company_id = c.id`.execute(db);
  await db.schema.dropTable('user_sync_state').execute();
  await db.schema.dropTable('company_settings').execute();
}
