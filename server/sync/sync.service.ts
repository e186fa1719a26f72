import type { SyncMode } from '../db/database';
import { AppError, notFound } from '../errors';
import { requestRun } from '../runs/runs.service';
import type { UserSyncDeps } from './run-sync';
import { loadSyncCompany } from './sync-company';
import { syncRunJob } from './sync-run.job';

export { applyUsers } from './apply-users';
export { classificationLoader, settingsOf } from './full-sync';
export type { UserSyncDeps } from './run-sync';
export { type CompanyForSync, loadSyncCompany } from './sync-company';
export { findSyncState } from './sync-state.repository';

export interface SyncRequest {
  companyId: string;
  trigger: 'manual' | 'auto';
  mode: Exclude<SyncMode, 'webhook'>;
  startedByUserId: string | null;
  startedByName: string | null;
  now?: Date;
}

/**
 * Asking for a run (design.md flow 3): one queued or running user sync per company, so pressing
 * Sync again, or Autosync firing while a manual run works, returns the run in flight.
 */
export async function requestSync(deps: Pick<UserSyncDeps, 'db' | 'jobs'>, request: SyncRequest) {
  const company = await loadSyncCompany(deps.db, request.companyId);
  if (!company) throw notFound('Company');
  if (!company.user_sync_enabled) {
    throw new AppError('conflict', 'User sync is turned off for this company. Turn it on in Settings first.');
  }
  return requestRun(deps.db, { ...request, kind: 'users', now: request.now ?? new Date() }, (run) =>
    deps.jobs.send(syncRunJob, { companyId: run.company_id, runId: run.id }),
  );
}
