/**
 * The workforce: workers and their positions. The user sync writes through these functions (each
 * takes the caller's transaction where it needs one); the Workers page reads through its routes.
 */

export { createLocalWorker } from './local-workers';
export {
  findWorker,
  findWorkerByPayrollId,
  listWorkersForSend,
  setPositionClassification,
  setWorkerPerson,
  type WorkerForSend,
} from './local-workers.repository';
export { ensureClassificationPositions, listPositions } from './positions.repository';
export {
  countSyncedActiveWorkers,
  deactivateWorkers,
  findWorkersForUsers,
  linkWorker,
  listUnseenLinkedWorkers,
  refreshWorkerStatistics,
  type SyncedWorkerRow,
  undoDeactivations,
  upsertSyncedWorkers,
} from './synced-workers.repository';
export type { WorkerFields, WorkerState } from './worker';
export { findWorkerNameByProcoreUser } from './workers.repository';
