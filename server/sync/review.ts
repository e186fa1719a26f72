import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { finishRun, lockRunForReview, type RunRow, setEntriesAction } from '../runs/runs.service';
import { deactivateWorkers } from '../workers/workers.service';
import { cancelHeld, forgetHeld, lockGuard } from './deactivation-guard.repository';
import { reason } from './reasons';

/**
 * The safeguard's second half (design.md "Matching and rules", safeguard.ts): a `needs_review`
 * run — a sync's, or the webhooks' review — lists who it would deactivate; an admin confirms
 * (exactly those workers are deactivated, except any changed since the review, which are left
 * alone) or cancels (nobody is, and each of them stays active until Procore shows a change to the
 * user after the one that was held: webhook retries and later syncs leave them alone).
 * Both take the company's guard lock first, so no held deactivation joins a review being decided.
 */
const CHANGED_SINCE = 'Changed since the review: left active';

export async function confirmReview(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  review: { byName: string; now: Date },
): Promise<RunRow> {
  return db.transaction().execute(async (trx) => {
    await lockGuard(trx, companyId);
    const held = await lockRunForReview(trx, companyId, runId);
    const pending = await held.wouldDeactivate();
    const done = new Set<string>();
    const byReason = new Map<string, string[]>();
    for (const e of pending) {
      if (e.worker_id) byReason.set(e.reason ?? '', [...(byReason.get(e.reason ?? '') ?? []), e.worker_id]);
    }
    const asked = held.run.finished_at ?? review.now;
    for (const [why, workerIds] of byReason) {
      for (const id of await deactivateWorkers(trx, companyId, workerIds, why, review.now, {
        unchangedSince: asked,
      })) {
        done.add(id);
      }
    }
    const deactivated = pending.filter((e) => e.worker_id && done.has(e.worker_id)).map((e) => e.id);
    const kept = pending.filter((e) => !(e.worker_id && done.has(e.worker_id))).map((e) => e.id);
    await setEntriesAction(trx, companyId, runId, deactivated, 'deactivated');
    await setEntriesAction(trx, companyId, runId, kept, 'unchanged', CHANGED_SINCE);
    await forgetHeld(trx, companyId, runId);
    const plural = deactivated.length === 1 ? '' : 's';
    return endReview(
      await finishRun(trx, companyId, runId, {
        status: held.run.failed > 0 ? 'partial' : 'succeeded',
        reason: `Confirmed by ${review.byName}: ${deactivated.length} worker${plural} deactivated`,
        now: review.now,
        fromStatuses: ['needs_review'],
        counts: { deactivated: deactivated.length, unchanged: kept.length, clearWouldDeactivate: true },
        reviewedBy: review.byName,
      }),
    );
  });
}

export async function cancelReview(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  review: { byName: string; now: Date },
): Promise<RunRow> {
  return db.transaction().execute(async (trx) => {
    await lockGuard(trx, companyId);
    const held = await lockRunForReview(trx, companyId, runId);
    const pending = await held.wouldDeactivate();
    await cancelHeld(trx, companyId, runId, { byName: review.byName, at: review.now });
    // Each of them was left as they were: the log says so, rather than "would be deactivated".
    const cancelled = reason('deactivation_cancelled', { adminName: review.byName }).text;
    const byReason = new Map<string, string[]>();
    for (const e of pending) {
      const why = e.reason ? `${e.reason}; ${cancelled}` : cancelled;
      byReason.set(why, [...(byReason.get(why) ?? []), e.id]);
    }
    for (const [why, ids] of byReason) await setEntriesAction(trx, companyId, runId, ids, 'unchanged', why);
    return endReview(
      await finishRun(trx, companyId, runId, {
        status: 'canceled',
        reason: `Cancelled by ${review.byName}: nobody was deactivated (each stays active until changed in Procore)`,
        now: review.now,
        fromStatuses: ['needs_review'],
        counts: { unchanged: pending.length, clearWouldDeactivate: true },
        reviewedBy: review.byName,
      }),
    );
  });
}

/** The run is locked in this transaction, so the update always finds it. */
function endReview(run: RunRow | undefined): RunRow {
  if (!run) throw new Error('a locked review run was not updated');
  return run;
}
