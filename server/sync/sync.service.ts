import type { Kysely } from 'kysely';
import type { Database, SyncMode } from '../db/database';
import { AppError, notFound } from '../errors';
import { hourStart, requestRun } from '../runs/runs.service';
import type { UserSyncDeps } from './run-sync';
import { loadSyncCompany } from './sync-company';
import { syncRunJob } from './sync-run.job';

export { classificationLoader } from './full-sync';
export type { UserSyncDeps } from './run-sync';
export { loadSyncCompany } from './sync-company';
export { applyWebhookUsers } from './webhook-user';

import { findSyncState } from './sync-state.repository';

export { findSyncState };

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

/**
 * When Autosync last ran for a company and when it runs next: at its minute of the hour, in the
 * next hour whose run has not been claimed yet (autosync.job.ts). Null when Autosync is off.
 */
export async function autosyncSchedule(
  db: Kysely<Database>,
  companyId: string,
  settings: { autosync: boolean; userSyncEnabled: boolean; autosyncMinute: number },
  now: Date,
): Promise<{ lastAutoSyncAt: string | null; nextAutoSyncAt: string | null }> {
  const last = (await findSyncState(db, companyId))?.last_auto_sync_at ?? null;
  if (!settings.autosync || !settings.userSyncEnabled) {
    return { lastAutoSyncAt: last?.toISOString() ?? null, nextAutoSyncAt: null };
  }
  const thisHour = hourStart(now);
  const claimedThisHour = last !== null && last >= thisHour;
  const next = new Date(thisHour.getTime() + settings.autosyncMinute * 60_000);
  // Past this hour's minute, or already run this hour: the same minute of the next hour.
  if (claimedThisHour || next.getTime() + 60_000 <= now.getTime()) next.setTime(next.getTime() + 3_600_000);
  return { lastAutoSyncAt: last?.toISOString() ?? null, nextAutoSyncAt: next.toISOString() };
}
