import type { JobQueue } from '../jobs/queue';
import { AUTOSYNC_TICK_JOB, autosyncTick } from './autosync';
import { recoverInterruptedRuns } from './recover';
import type { RunnerDeps } from './run-sync';
import { SYNC_RUN_JOB, syncRunHandler } from './sync.job';

/**
 * Wires the sync into the job queue; `server/main.ts` calls this once per process after the
 * queue starts. Every process works runs and ticks; pg-boss hands each job to one of them and
 * keeps the cron schedule single (jobs/queue.ts), and autosync's claim is idempotent anyway.
 */
export interface SyncWorkerDeps extends RunnerDeps {
  queue: JobQueue;
  /** Runs one process works at a time. */
  concurrency?: number;
  /** Install the every-minute autosync schedule (tests drive ticks themselves). */
  schedule?: boolean;
  pollingIntervalSeconds?: number;
}

export async function startSyncWorkers(deps: SyncWorkerDeps): Promise<void> {
  const { queue } = deps;
  await queue.createQueue(SYNC_RUN_JOB);
  await queue.createQueue(AUTOSYNC_TICK_JOB);
  // On process start: runs a previous process left behind (crash, deploy) become failed.
  await recoverInterruptedRuns(deps);
  const polling = { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 1 };
  for (let i = 0; i < (deps.concurrency ?? 2); i++) {
    await queue.work(SYNC_RUN_JOB, polling, syncRunHandler(deps));
  }
  await queue.work(AUTOSYNC_TICK_JOB, polling, async () => {
    await autosyncTick(deps);
  });
  if (deps.schedule !== false) {
    await queue.schedule(AUTOSYNC_TICK_JOB, '* * * * *', {}, { tz: 'UTC', retryLimit: 0 });
  }
}
