/**
 * The API's shapes as the web app uses them, inferred from the server's zod schemas (style.md
 * rule 19): a change to a route's schema shows up here as a type error, not a broken screen.
 */
export type {
  EntryAction,
  EntryList,
  FieldChange,
  Preview,
  RunCounts,
  RunList,
  RunResponse,
  SyncEntry,
  SyncRun,
  SyncSettings,
  SyncStatus,
  SyncTrigger,
} from '../server/sync/sync.schemas';
export type { PositionList, Worker, WorkerList, WorkerSource } from '../server/workers/workers.schemas';

import type { EntryQuery as ServerEntryQuery } from '../server/sync/sync.schemas';
import type { WorkerQuery as ServerWorkerQuery } from '../server/workers/workers.schemas';

// The schemas coerce `limit` from the query string (its input type is unknown); the app sends numbers.
export type EntryQuery = Omit<ServerEntryQuery, 'limit'> & { limit?: number };
export type WorkerQuery = Omit<ServerWorkerQuery, 'limit'> & { limit?: number };
