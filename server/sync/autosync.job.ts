import { z } from 'zod';
import { defineJob } from '../jobs/job';
import { hourStart, type RequestedRun } from '../runs/runs.service';
import { listAutosyncDue } from '../settings/settings.service';
import type { UserSyncDeps } from './run-sync';
import { requestSync } from './sync.service';
import { claimAutosync } from './sync-state.repository';

/** A full reconcile at least this often; hourly runs in between read only changed users. */
export const FULL_RECONCILE_EVERY_MS = 24 * 60 * 60_000;

/**
 * Autosync (seed.md: "users will automatically sync once per hour"): one schedule ticks every
 * minute and fans out. A company is due when its minute of the hour has come
 * and it has had no automatic run this hour; the claim is exact across processes
 * (sync-state.repository.ts `claimAutosync`).
 */
export async function autosyncTick(
  deps: Pick<UserSyncDeps, 'db' | 'jobs' | 'now' | 'log' | 'recoverRuns' | 'companies'>,
): Promise<RequestedRun[]> {
  const now = deps.now();
  await deps.recoverRuns().catch((err: unknown) => deps.log.error({ err }, 'run recovery failed'));
  const candidates = await listAutosyncDue(deps.db, now.getUTCMinutes());
  const connected = await deps.companies.listConnectedIds(candidates);
  const due = await claimAutosync(deps.db, connected, now, hourStart(now));
  const runs: RequestedRun[] = [];
  for (const company of due) {
    const fullDue =
      !company.users_watermark ||
      !company.last_full_sync_at ||
      now.getTime() - company.last_full_sync_at.getTime() >= FULL_RECONCILE_EVERY_MS;
    try {
      runs.push(
        await requestSync(deps, {
          companyId: company.id,
          trigger: 'auto',
          mode: fullDue ? 'full' : 'incremental',
          startedByUserId: null,
          startedByName: null,
          now,
        }),
      );
    } catch (err) {
      deps.log.error({ err, companyId: company.id }, 'autosync could not queue a run');
    }
  }
  return runs;
}

/** Every minute; fans out to the companies due this minute. */
export const autosyncTickJob = defineJob({
  name: 'sync-autosync-tick',
  payload: z.object({}).loose(),
  schedule: '* * * * *',
  handle: async (_payload, deps: UserSyncDeps) => {
    await autosyncTick(deps);
  },
});
