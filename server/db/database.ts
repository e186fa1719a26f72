import type { ColumnType, Generated, Updateable } from 'kysely';

/**
 * Kysely's view of the schema in migrations/. Procore ids are `bigint` columns and strings in
 * JS (pg returns int8 as text; the PGlite dialect is configured to do the same).
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** A timestamp with a database default: optional on insert. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Id = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A bigserial id: made by the database. */
type GeneratedId = ColumnType<string, string | number | bigint | undefined, never>;
type Json<T> = ColumnType<T, string, string>;
type DefaultedJson<T> = ColumnType<T, string | undefined, string>;

export type ConnectionState = 'connected' | 'disconnected';
export type AccessMode = 'service_account' | 'user_token';

export interface CompaniesTable {
  id: Id;
  name: string;
  connection_state: Generated<ConnectionState>;
  disconnect_reason: string | null;
  connected_at: Timestamp | null;
  disconnected_at: Timestamp | null;
  connected_by_user_id: Id | null;
  connected_by_name: string | null;
  access_mode: Generated<AccessMode>;
  service_account_user_id: Id | null;
  webhook_hook_id: string | null;
  webhook_secret_hash: string | null;
  webhook_last_delivery_at: Timestamp | null;
  /** migrations/20261128T010000_app_sessions.ts: bumped at Disconnect and uninstall. */
  session_epoch: Generated<number>;
  created_at: CreatedAt;
  updated_at: DefaultedTimestamp;
}

/** migrations/20261127T000000_owned_tables.ts: per-company switches (server/settings). */
export interface CompanySettingsTable {
  company_id: Id;
  user_sync_enabled: Generated<boolean>;
  sync_classifications: Generated<boolean>;
  autosync: Generated<boolean>;
  autosync_minute: Generated<number>;
  timesheet_sync_enabled: Generated<boolean>;
  updated_at: DefaultedTimestamp;
  // migrations/20261128T000000_timesheets.ts
  timesheets_only_approved: Generated<boolean>;
  timesheets_include_sub_workers: Generated<boolean>;
}

/** The user sync's progress through Procore's directory (server/sync). */
export interface UserSyncStateTable {
  company_id: Id;
  users_watermark: Timestamp | null;
  last_full_sync_at: Timestamp | null;
  last_auto_sync_at: Timestamp | null;
}

export interface ProcoreTokensTable {
  company_id: Id;
  kind: 'user' | 'service';
  procore_user_id: Id | null;
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Timestamp;
  key_id: string;
  updated_at: DefaultedTimestamp;
}

export interface PositionsTable {
  id: GeneratedId;
  company_id: Id;
  name: string;
  procore_classification_id: Id | null;
  created_at: CreatedAt;
  updated_at: DefaultedTimestamp;
}

export type WorkerSource = 'procore_user' | 'local';

export interface WorkersTable {
  id: GeneratedId;
  company_id: Id;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  payroll_id: string | null;
  position_id: Id | null;
  active: Generated<boolean>;
  source: WorkerSource;
  procore_user_id: Id | null;
  procore_person_id: Id | null;
  procore_updated_at: Timestamp | null;
  deactivated_reason: string | null;
  last_synced_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: DefaultedTimestamp;
}

export type RunKind = 'users' | 'timesheets';
export type SyncTrigger = 'manual' | 'auto' | 'webhook';
export type SyncMode = 'full' | 'incremental' | 'webhook';
export type SyncStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'partial'
  | 'failed'
  | 'needs_review'
  | 'canceled';

export interface SyncRunsTable {
  id: GeneratedId;
  company_id: Id;
  kind: Generated<RunKind>;
  trigger: SyncTrigger;
  mode: Generated<SyncMode>;
  started_by_user_id: Id | null;
  started_by_name: string | null;
  status: Generated<SyncStatus>;
  status_reason: string | null;
  queued_at: DefaultedTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  bucket_start: Timestamp | null;
  seen: Generated<number>;
  total: number | null;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  deactivated: Generated<number>;
  reactivated: Generated<number>;
  skipped: Generated<number>;
  failed: Generated<number>;
  warnings: Generated<number>;
  // migrations/20261125T020000_sync.ts
  job_id: string | null;
  heartbeat_at: Timestamp | null;
  would_deactivate: Generated<number>;
  reviewed_by_name: string | null;
  reviewed_at: Timestamp | null;
  // migrations/20261128T000000_timesheets.ts: what a manual timesheet send covered
  scope_project_id: Id | null;
  scope_project_name: string | null;
  scope_from: ColumnType<string, string, string> | null;
  scope_to: ColumnType<string, string, string> | null;
  // migrations/20261128T020000_run_owner.ts: the process lease of the process queuing or working it
  owner_key: Id | null;
  // migrations/20261130T010000_run_numbers.ts: 1, 2, 3… per company and kind, set by a trigger
  number: Generated<number>;
}

export type EntryAction =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'deactivated'
  | 'reactivated'
  | 'skipped'
  | 'failed'
  | 'would_deactivate';

export interface FieldChange {
  field: string;
  from: string | null;
  to: string | null;
}

export interface SyncRunEntriesTable {
  id: GeneratedId;
  run_id: Id;
  company_id: Id;
  /** The Procore user a user-sync entry is about; null on a timesheet run's entries. */
  procore_user_id: Id | null;
  worker_id: Id | null;
  name: string;
  email: string | null;
  action: EntryAction;
  reason_code: string | null;
  reason: string | null;
  changes: DefaultedJson<FieldChange[]>;
  warnings: DefaultedJson<string[]>;
  created_at: CreatedAt;
  // migrations/20261128T000000_timesheets.ts: a timesheet run's subject
  timesheet_id: Id | null;
  procore_project_id: Id | null;
  project_name: string | null;
  work_date: ColumnType<string, string, string> | null;
  hours: string | null;
  procore_entry_id: Id | null;
  // migrations/20261130T020000_worker_history.ts: who made a webhook change in Procore
  changed_by_user_id: Id | null;
  changed_by_name: string | null;
  // migrations/20261130T040000_entry_history.ts: a person's earlier entries in a webhook run
  superseded: Generated<boolean>;
  own_action: EntryAction | null;
  own_changes: ColumnType<FieldChange[] | null, string | null, string | null>;
}

/**
 * migrations/20261201T000000_entry_batches.ts: a run's entries that change nothing, a few thousand
 * to a row: `[entryId, procoreUserId, workerId, name, email, action, reasonCode, reason, warnings]`.
 */
export type BatchedEntry = [
  string,
  string,
  string | null,
  string,
  string | null,
  EntryAction,
  string | null,
  string | null,
  string[],
];

export interface SyncRunEntryBatchesTable {
  id: GeneratedId;
  run_id: Id;
  company_id: Id;
  first_entry_id: Id;
  last_entry_id: Id;
  notable: boolean;
  procore_user_ids: ColumnType<string[], string[], string[]>;
  entries: ColumnType<BatchedEntry[], string, string>;
  created_at: CreatedAt;
}

export type DeliveryOutcome = 'queued' | 'applied' | 'ignored' | 'failed' | 'dropped';

export interface WebhookDeliveriesTable {
  id: GeneratedId;
  company_id: Id;
  delivery_key: string;
  payload_version: string;
  resource_name: string;
  event_type: string;
  resource_id: Id | null;
  event_at: Timestamp | null;
  payload: Json<unknown>;
  received_at: DefaultedTimestamp;
  outcome: Generated<DeliveryOutcome>;
  outcome_reason: string | null;
  processed_at: Timestamp | null;
}

/** migrations/20261125T040000_webhooks.ts: the latest Procore read applied per user. */
export interface WebhookUserReadsTable {
  company_id: Id;
  procore_user_id: Id;
  read_at: Timestamp;
}

export type GuardState = 'applied' | 'held' | 'cancelled';

/**
 * migrations/20261129T000000_webhook_safeguard.ts: what the deactivation safeguard remembers about
 * one Procore user (server/sync): deactivated by a webhook (the rolling window), held for review,
 * or a cancelled review's "leave them active".
 */
export interface DeactivationGuardTable {
  company_id: Id;
  procore_user_id: Id;
  worker_id: Id;
  state: GuardState;
  run_id: Id | null;
  procore_updated_at: Timestamp | null;
  reason_code: string;
  reason: string;
  at: Timestamp;
  cancelled_by_name: string | null;
}

/** Where a timesheet stands with Procore (migrations/20261128T000000_timesheets.ts). */
export type TimesheetStatus = 'unsent' | 'sending' | 'sent' | 'changed' | 'skipped' | 'failed';
export type TimesheetApproval = 'pending' | 'approved';

export interface TimesheetsTable {
  id: GeneratedId;
  company_id: Id;
  worker_id: Id;
  procore_project_id: Id;
  date: ColumnType<string, string, string>;
  hours: string | null;
  /** Wall-clock `HH:MM:SS` on `date`. */
  time_in: string | null;
  time_out: string | null;
  break_minutes: number | null;
  cost_code_id: Id | null;
  description: string | null;
  status: Generated<TimesheetStatus>;
  procore_timecard_entry_id: Id | null;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: DefaultedTimestamp;
  approval: Generated<TimesheetApproval>;
  sent_fingerprint: string | null;
  deleted_at: Timestamp | null;
  deletion_logged_at: Timestamp | null;
}

/** The hourly timesheet send's claim (server/timesheets). */
export interface TimesheetSendStateTable {
  company_id: Id;
  last_auto_at: Timestamp | null;
}

export interface OauthStatesTable {
  state_hash: string;
  nonce_hash: string;
  company_id: Id;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface AuthHandoffsTable {
  code_hash: string;
  company_id: Id;
  procore_user_id: Id;
  user_name: string;
  is_admin: boolean;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  session_id: string | null;
}

export type AdminRule = 'manifest' | 'template';
export type ProcoreGrant = 'own' | 'company' | 'none';

/** migrations/20261128T010000_app_sessions.ts: one row per sign-in (server/auth). */
export interface AppSessionsTable {
  id: string;
  handle_hash: string | null;
  company_id: Id;
  company_epoch: number;
  procore_user_id: Id;
  user_name: string;
  is_admin: boolean;
  admin_rule: AdminRule;
  procore_grant: ProcoreGrant;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: Timestamp | null;
  key_id: string | null;
  created_at: CreatedAt;
  last_used_at: DefaultedTimestamp;
  expires_at: Timestamp;
  checked_at: DefaultedTimestamp;
  check_claimed_until: Timestamp | null;
  ended_at: Timestamp | null;
  ended_reason: string | null;
}

/** migrations/20261129T010000_alerts.ts: a company's problems and their e-mails (server/alerts). */
export interface CompanyAlertsTable {
  id: GeneratedId;
  company_id: Id;
  code: string;
  title: string;
  detail: string;
  started_at: Timestamp;
  resolved_at: Timestamp | null;
  start_notice_at: Timestamp | null;
  resolve_notice_at: Timestamp | null;
  notice_claimed_until: Timestamp | null;
}

/** migrations/20261129T010000_alerts.ts: the admins alert e-mails go to (server/alerts). */
export interface AlertRecipientsTable {
  company_id: Id;
  procore_user_id: Id;
  name: string;
  email: string;
  updated_at: DefaultedTimestamp;
}

export interface Database {
  oauth_states: OauthStatesTable;
  auth_handoffs: AuthHandoffsTable;
  app_sessions: AppSessionsTable;
  companies: CompaniesTable;
  company_settings: CompanySettingsTable;
  user_sync_state: UserSyncStateTable;
  procore_tokens: ProcoreTokensTable;
  positions: PositionsTable;
  workers: WorkersTable;
  sync_runs: SyncRunsTable;
  sync_run_entries: SyncRunEntriesTable;
  sync_run_entry_batches: SyncRunEntryBatchesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_user_reads: WebhookUserReadsTable;
  deactivation_guard: DeactivationGuardTable;
  timesheets: TimesheetsTable;
  timesheet_send_state: TimesheetSendStateTable;
  company_alerts: CompanyAlertsTable;
  alert_recipients: AlertRecipientsTable;
}

export type WorkerUpdate = Updateable<WorkersTable>;
