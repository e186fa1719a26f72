/**
 * The API's shapes as the web app uses them, inferred from the server's zod schemas (style.md
 * rule 19): a change to a route's schema shows up here as a type error, not a broken screen.
 */

export type { Alert, AlertList } from '../server/alerts/alerts.schemas';
export type { Connection, MeResponse, SessionResponse } from '../server/install/connection.schemas';
export type { SettingsPatch, SyncSettings } from '../server/settings/settings.schemas';
// The schemas coerce `limit` from the query string (its input type is unknown); the app sends numbers.
export type {
  EntryAction,
  EntryList,
  EntryQueryParams as EntryQuery,
  FieldChange,
  Preview,
  RunCounts,
  RunList,
  RunListQuery,
  RunResponse,
  SyncEntry,
  SyncRun,
  SyncStatus,
  SyncTrigger,
} from '../server/sync/sync.schemas';
export type {
  SendEntry,
  SendEntryQuery,
  SendRun,
} from '../server/timesheets/send-log.schemas';
export type {
  CostCodeList,
  ProjectList,
  Timesheet,
  TimesheetInput,
  TimesheetPatch,
  TimesheetStatus,
} from '../server/timesheets/timesheets.schemas';
export type {
  DirectoryLink,
  Position,
  PositionList,
  RunResult,
  Worker,
  WorkerHistory,
  WorkerHistoryEntry,
  WorkerInput,
  WorkerList,
  WorkerPatch,
  WorkerQueryParams as WorkerQuery,
  WorkerTotals,
} from '../server/workers/workers.schemas';
