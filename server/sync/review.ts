import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { AppError, notFound } from '../errors';
import { setEntriesAction } from './entries.repository';
import type { RunRow } from './runs.repository';

/**
 * The safeguard's second half (design.md "Matching and rules"): a `needs_review` run lists who it
 * would deactivate; an admin confirms (exactly those workers are deactivated, except any changed
 * since the review, which are left alone) or cancels (nobody is; a later full sync asks again if
 * Procore still says so).
 */
const CHANGED_SINCE = 'Changed since the review: left active';

async function lockReviewRun(db: Kysely<Database>, companyId: string, runId: string) {
  const run = await db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .forUpdate()
    .executeTakeFirst();
  if (!run) throw notFound('Sync run');
  if (run.status !== 'needs_review') {
    throw new AppError('conflict', 'This sync is not waiting for a review.');
  }
  return run;
}

export async function confirmReview(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  review: { byName: string; now: Date },
): Promise<RunRow> {
  return db.transaction().execute(async (trx) => {
    const run = await lockReviewRun(trx, companyId, runId);
    const pending = await trx
      .selectFrom('sync_run_entries')
      .select(['id', 'worker_id', 'reason'])
      .where('company_id', '=', companyId)
      .where('run_id', '=', runId)
      .where('action', '=', 'would_deactivate')
      .execute();
    const done = new Set<string>();
    const byReason = new Map<string, string[]>();
    for (const e of pending) {
      if (e.worker_id) byReason.set(e.reason ?? '', [...(byReason.get(e.reason ?? '') ?? []), e.worker_id]);
    }
    for (const [why, workerIds] of byReason) {
      const rows = await trx
        .updateTable('workers')
        .set({ active: false, deactivated_reason: why, updated_at: review.now, last_synced_at: review.now })
        .where('company_id', '=', companyId)
        .where('id', 'in', workerIds)
        .where('active', '=', true)
        .where('updated_at', '<=', run.finished_at ?? review.now)
        .returning('id')
        .execute();
      for (const r of rows) done.add(r.id);
    }
    const deactivated = pending.filter((e) => e.worker_id && done.has(e.worker_id)).map((e) => e.id);
    const kept = pending.filter((e) => !(e.worker_id && done.has(e.worker_id))).map((e) => e.id);
    await setEntriesAction(trx, companyId, runId, deactivated, 'deactivated');
    await setEntriesAction(trx, companyId, runId, kept, 'unchanged', CHANGED_SINCE);
    return trx
      .updateTable('sync_runs')
      .set((eb) => ({
        status: run.failed > 0 ? 'partial' : 'succeeded',
        status_reason: `Confirmed by ${review.byName}: ${deactivated.length} worker${deactivated.length === 1 ? '' : 's'} deactivated`,
        deactivated: eb('deactivated', '+', deactivated.length),
        unchanged: eb('unchanged', '+', kept.length),
        would_deactivate: 0,
        reviewed_by_name: review.byName,
        reviewed_at: review.now,
      }))
      .where('company_id', '=', companyId)
      .where('id', '=', runId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export async function cancelReview(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  review: { byName: string; now: Date },
): Promise<RunRow> {
  return db.transaction().execute(async (trx) => {
    await lockReviewRun(trx, companyId, runId);
    return trx
      .updateTable('sync_runs')
      .set({
        status: 'canceled',
        status_reason: `Cancelled by ${review.byName}: nobody was deactivated`,
        reviewed_by_name: review.byName,
        reviewed_at: review.now,
      })
      .where('company_id', '=', companyId)
      .where('id', '=', runId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
