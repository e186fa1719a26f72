import { type Kysely, sql } from 'kysely';

/**
 * The data model of design.md. A tenant is a Procore company; every Procore id is 64-bit
 * (`bigint`, strings in JS). Frozen: later changes go in new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('companies')
    .addColumn('id', 'bigint', (c) => c.primaryKey()) // Procore company id
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('connection_state', 'text', (c) =>
      c.notNull().defaultTo('connected').check(sql`connection_state in ('connected', 'disconnected')`),
    )
    .addColumn('disconnect_reason', 'text')
    .addColumn('connected_at', 'timestamptz')
    .addColumn('disconnected_at', 'timestamptz')
    .addColumn('connected_by_user_id', 'bigint')
    .addColumn('connected_by_name', 'text')
    .addColumn('access_mode', 'text', (c) =>
      c.notNull().defaultTo('service_account').check(sql`access_mode in ('service_account', 'user_token')`),
    )
    .addColumn('service_account_user_id', 'bigint') // the app's own DMSA directory user, never imported
    .addColumn('webhook_hook_id', 'text')
    .addColumn('webhook_secret_hash', 'text')
    .addColumn('webhook_last_delivery_at', 'timestamptz')
    .addColumn('users_watermark', 'timestamptz') // newest Procore updated_at seen by a sync
    .addColumn('last_full_sync_at', 'timestamptz')
    .addColumn('last_auto_sync_at', 'timestamptz')
    .addColumn('autosync_minute', 'smallint', (c) =>
      c.notNull().defaultTo(0).check(sql`autosync_minute between 0 and 59`),
    )
    .addColumn('user_sync_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('sync_classifications', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('autosync', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('timesheet_sync_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Procore OAuth tokens, encrypted (AES-256-GCM); `key_id` names the key so it can be rotated.
  await db.schema
    .createTable('procore_tokens')
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('user', 'service')`))
    .addColumn('procore_user_id', 'bigint')
    .addColumn('access_token_enc', 'text', (c) => c.notNull())
    .addColumn('refresh_token_enc', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('procore_tokens_pkey', ['company_id', 'kind'])
    .execute();

  await db.schema
    .createTable('positions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(trim(name)) > 0`))
    .addColumn('procore_classification_id', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('positions_company_name_key', ['company_id', 'name'])
    .addUniqueConstraint('positions_company_classification_key', ['company_id', 'procore_classification_id'])
    .execute();

  await db.schema
    .createTable('workers')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text') // E.164
    .addColumn('payroll_id', 'text')
    .addColumn('position_id', 'bigint', (c) => c.references('positions.id').onDelete('set null'))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('procore_user', 'local')`))
    .addColumn('procore_user_id', 'bigint')
    .addColumn('procore_person_id', 'bigint')
    .addColumn('procore_updated_at', 'timestamptz') // Procore's updated_at of the state last applied
    .addColumn('deactivated_reason', 'text')
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('workers_company_procore_user_key', ['company_id', 'procore_user_id'])
    .addCheckConstraint(
      'workers_source_procore_user_check',
      sql`source <> 'procore_user' or procore_user_id is not null`,
    )
    .execute();
  await db.schema
    .createIndex('workers_company_email_idx')
    .on('workers')
    .columns(['company_id', 'email'])
    .execute();
  await db.schema
    .createIndex('workers_company_phone_idx')
    .on('workers')
    .columns(['company_id', 'phone'])
    .execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('manual', 'auto', 'webhook')`))
    .addColumn('mode', 'text', (c) =>
      c.notNull().defaultTo('full').check(sql`mode in ('full', 'incremental', 'webhook')`),
    )
    .addColumn('started_by_user_id', 'bigint')
    .addColumn('started_by_name', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(
          sql`status in ('queued', 'running', 'succeeded', 'partial', 'failed', 'needs_review', 'canceled')`,
        ),
    )
    .addColumn('status_reason', 'text')
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('bucket_start', 'timestamptz') // webhook logs: one per company per hour
    .addColumn('seen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer')
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deactivated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reactivated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warnings', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('sync_runs_company_queued_idx')
    .on('sync_runs')
    .columns(['company_id', 'queued_at desc', 'id desc'])
    .execute();
  // At most one manual/automatic run queued or running per company.
  await sql`create unique index sync_runs_one_active_per_company on sync_runs (company_id)
    where status in ('queued', 'running') and trigger <> 'webhook'`.execute(db);
  // Webhook changes gather in one log per company per hour.
  await sql`create unique index sync_runs_webhook_bucket on sync_runs (company_id, bucket_start)
    where trigger = 'webhook'`.execute(db);

  await db.schema
    .createTable('sync_run_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('sync_runs.id').onDelete('cascade'))
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('procore_user_id', 'bigint', (c) => c.notNull())
    .addColumn('worker_id', 'bigint', (c) => c.references('workers.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('action', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`action in ('created', 'updated', 'unchanged', 'deactivated', 'reactivated', 'skipped', 'failed', 'would_deactivate')`,
        ),
    )
    .addColumn('reason_code', 'text')
    .addColumn('reason', 'text')
    .addColumn('changes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('sync_run_entries_run_idx')
    .on('sync_run_entries')
    .columns(['run_id', 'procore_user_id'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('delivery_key', 'text', (c) => c.notNull()) // Procore's ulid (v2/v3) or id (v4)
    .addColumn('payload_version', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'bigint')
    .addColumn('event_at', 'timestamptz')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('outcome', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(sql`outcome in ('queued', 'applied', 'ignored', 'failed', 'dropped')`),
    )
    .addColumn('outcome_reason', 'text')
    .addColumn('processed_at', 'timestamptz')
    .addUniqueConstraint('webhook_deliveries_company_key', ['company_id', 'delivery_key'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_company_received_idx')
    .on('webhook_deliveries')
    .columns(['company_id', 'received_at desc'])
    .execute();

  await db.schema
    .createTable('timesheets')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('worker_id', 'bigint', (c) => c.notNull().references('workers.id').onDelete('restrict'))
    .addColumn('procore_project_id', 'bigint', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('hours', 'numeric(5, 2)', (c) => c.check(sql`hours is null or (hours >= 0 and hours <= 24)`))
    .addColumn('time_in', 'timestamptz')
    .addColumn('time_out', 'timestamptz')
    .addColumn('break_minutes', 'integer', (c) => c.check(sql`break_minutes is null or break_minutes >= 0`))
    .addColumn('cost_code_id', 'bigint')
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('draft').check(sql`status in ('draft', 'pending', 'sent', 'failed')`),
    )
    .addColumn('procore_timecard_entry_id', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'timesheets_hours_or_times_check',
      sql`hours is not null or (time_in is not null and time_out is not null)`,
    )
    .execute();
  await db.schema
    .createIndex('timesheets_company_worker_date_idx')
    .on('timesheets')
    .columns(['company_id', 'worker_id', 'date'])
    .execute();
  await db.schema
    .createIndex('timesheets_company_timecard_idx')
    .on('timesheets')
    .columns(['company_id', 'procore_timecard_entry_id'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'timesheets',
    'webhook_deliveries',
    'sync_run_entries',
    'sync_runs',
    'workers',
    'positions',
    'procore_tokens',
    'companies',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
