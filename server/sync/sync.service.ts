import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { AppError, notFound } from '../errors';
import type { JobQueue } from '../jobs/queue';
import { findCompanyForSync } from './company-sync.repository';
import {
  findActiveRun,
  finishRun,
  insertQueuedRun,
  type NewRun,
  type RunRow,
  setRunJob,
} from './runs.repository';
import { sendSyncRunJob } from './sync.job';

/**
 * Asking for a run (design.md flow 3): one queued or running manual/auto run per company, so
 * pressing Sync again, or Autosync firing while a manual run works, returns the run in flight.
 */
export interface RequestedRun {
  run: RunRow;
  /** False when an already queued or running run was returned. */
  created: boolean;
}

export async function requestSync(
  deps: { db: Kysely<Database>; queue: JobQueue },
  request: Omit<NewRun, 'now'> & { now?: Date },
): Promise<RequestedRun> {
  const { db } = deps;
  const company = await findCompanyForSync(db, request.companyId);
  if (!company) throw notFound('Company');
  if (!company.user_sync_enabled) {
    throw new AppError('conflict', 'User sync is turned off for this company. Turn it on in Settings first.');
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const run = await insertQueuedRun(db, { ...request, now: request.now ?? new Date() });
    if (run) {
      try {
        const jobId = await sendSyncRunJob(deps.queue, { companyId: run.company_id, runId: run.id });
        if (jobId) await setRunJob(db, run.company_id, run.id, jobId);
        return { run: { ...run, job_id: jobId }, created: true };
      } catch (err) {
        await finishRun(db, run.company_id, run.id, {
          status: 'failed',
          reason: 'The sync could not be queued; try again in a minute.',
          now: new Date(),
          fromStatuses: ['queued'],
        });
        throw err;
      }
    }
    // Someone else's run holds the slot; it may finish between our insert and this read.
    const active = await findActiveRun(db, request.companyId);
    if (active) return { run: active, created: false };
  }
  throw new AppError('conflict', 'Another sync is starting; try again in a moment.');
}
