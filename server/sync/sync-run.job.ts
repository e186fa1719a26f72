import { z } from 'zod';
import { checkAlertsSoon } from '../alerts/alerts-check.job';
import { numericId } from '../api.schemas';
import { defineJob } from '../jobs/job';
import { RUN_JOB_NAME } from '../runs/run-kinds';
import { executeSyncRun, type UserSyncDeps } from './run-sync';

/**
 * A queued user sync run. The run is the unit of retry, not the job: a failed run is recorded and
 * the next run picks up, so the job never retries.
 */
export const syncRunJob = defineJob({
  name: RUN_JOB_NAME.users,
  payload: z.object({ companyId: numericId, runId: numericId }),
  // A 50,000-user company reads 50 pages at Procore's pace; well inside this.
  send: { retryLimit: 0, expireInHours: 4 },
  consume: { consumers: 2 },
  handle: async (payload, deps: UserSyncDeps) => {
    await executeSyncRun(deps, payload.companyId, payload.runId);
    // However it ended (failed, needs review, worked again), the company's alerts may change.
    await checkAlertsSoon(deps, payload.companyId);
  },
});
