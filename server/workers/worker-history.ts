import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { notFound } from '../errors';
import { listWorkerEntries, type WorkerEntryRow } from '../runs/runs.service';
import { findWorker } from './local-workers.repository';
import type { WorkerHistory, WorkerHistoryEntry } from './workers.schemas';

/**
 * A worker's history: every entry a user sync (manual, automatic or by webhook) recorded about
 * them, newest first, with the run, when, the fields that changed, and for a change that arrived
 * by webhook who made it in Procore. An inactive worker also says since when and why.
 */
export async function workerHistory(
  db: Kysely<Database>,
  companyId: string,
  workerId: string,
  page: { cursor?: string; limit: number },
): Promise<WorkerHistory> {
  const worker = await findWorker(db, companyId, workerId);
  if (!worker) throw notFound('Worker');
  const subject = { workerId, procoreUserId: worker.procore_user_id };
  const rows = await listWorkerEntries(db, companyId, subject, {
    beforeId: page.cursor,
    limit: page.limit + 1,
  });
  const shown = rows.slice(0, page.limit);
  let inactive: WorkerHistory['inactive'] = null;
  if (!worker.active) {
    const [last] = await listWorkerEntries(db, companyId, subject, { actions: ['deactivated'], limit: 1 });
    inactive = {
      since: (last?.created_at ?? worker.updated_at).toISOString(),
      runId: last?.run_id ?? null,
      runNumber: last ? Number(last.run_number) : null,
      reason: worker.deactivated_reason ?? last?.reason ?? null,
      changedBy: last ? changedBy(last) : null,
    };
  }
  return {
    entries: shown.map(toApi),
    nextCursor: rows.length > page.limit ? (shown.at(-1)?.id ?? null) : null,
    inactive,
  };
}

function changedBy(row: WorkerEntryRow): WorkerHistoryEntry['changedBy'] {
  return row.changed_by_user_id ? { procoreUserId: row.changed_by_user_id, name: row.changed_by_name } : null;
}

function toApi(row: WorkerEntryRow): WorkerHistoryEntry {
  return {
    id: row.id,
    runId: row.run_id,
    runNumber: Number(row.run_number),
    runTrigger: row.run_trigger,
    at: row.created_at.toISOString(),
    procoreUserId: row.procore_user_id,
    action: row.action,
    reasonCode: row.reason_code,
    reason: row.reason,
    changes: row.changes,
    warnings: row.warnings,
    changedBy: changedBy(row),
  };
}
