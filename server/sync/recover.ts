import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { JobQueue } from '../jobs/queue';
import { finishRun, listOrphanCandidates } from './runs.repository';
import { SYNC_RUN_JOB } from './sync.job';

/**
 * Crash safety (issue 7, "Runs"): a run whose process died is marked failed, so the company can
 * sync again; nothing is lost, because every page was committed with its entries and the next run
 * upserts by (company_id, procore_user_id). Called at process start and on every autosync tick,
 * so with several processes a dead one's run is noticed by a live one.
 *  - running: no heartbeat for `staleAfterMs` (a live runner beats every few seconds);
 *  - queued: older than `staleAfterMs` and its pg-boss job is gone or already ended.
 */
export const INTERRUPTED_REASON = 'Interrupted by a restart; the next sync picks up where it left off';
export const DEFAULT_STALE_AFTER_MS = 30_000;

const LIVE_JOB_STATES = new Set(['created', 'retry', 'active']);

export async function recoverInterruptedRuns(
  deps: { db: Kysely<Database>; queue: Pick<JobQueue, 'getJobById'> },
  opts: { now?: Date; staleAfterMs?: number } = {},
): Promise<string[]> {
  const now = opts.now ?? new Date();
  const staleBefore = new Date(now.getTime() - (opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS));
  const recovered: string[] = [];
  for (const run of await listOrphanCandidates(deps.db, staleBefore)) {
    if (run.status === 'queued' && run.job_id) {
      const job = await deps.queue.getJobById(SYNC_RUN_JOB, run.job_id).catch(() => null);
      if (job && LIVE_JOB_STATES.has(job.state)) continue;
    }
    const ended = await finishRun(deps.db, run.company_id, run.id, {
      status: 'failed',
      reason: INTERRUPTED_REASON,
      now,
      fromStatuses: [run.status],
    });
    if (ended) recovered.push(run.id);
  }
  return recovered;
}
