import { z } from 'zod';
import type { JobQueue } from '../jobs/queue';
import { executeRun, type RunnerDeps } from './run-sync';

/**
 * The sync run job (style.md rule 14): an id, a zod payload checked when sent and again when run
 * (a job may be older than the code), and a handler that awaits everything. A run is the unit of
 * retry, not the job: a failed run is recorded and the next run picks up, so the job never retries.
 */
export const SYNC_RUN_JOB = 'sync-run';

export const syncRunPayload = z.object({
  companyId: z.string().regex(/^\d+$/),
  runId: z.string().regex(/^\d+$/),
});
export type SyncRunPayload = z.infer<typeof syncRunPayload>;

export async function sendSyncRunJob(queue: JobQueue, payload: SyncRunPayload): Promise<string | null> {
  return queue.send(SYNC_RUN_JOB, syncRunPayload.parse(payload), {
    retryLimit: 0,
    // A 50,000-user company reads 50 pages at Procore's pace; well inside this.
    expireInHours: 4,
  });
}

export function syncRunHandler(deps: RunnerDeps) {
  return async (jobs: Array<{ data: unknown }>): Promise<void> => {
    for (const job of jobs) {
      const payload = syncRunPayload.parse(job.data);
      await executeRun(deps, payload.companyId, payload.runId);
    }
  };
}
