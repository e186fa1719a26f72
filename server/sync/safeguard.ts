import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database';
import {
  type EntryDraft,
  findOpenWebhookReview,
  openWebhookReview,
  recordEntries,
  releaseFromReview,
  runStates,
  updateReview,
} from '../runs/runs.service';
import { countSyncedActiveWorkers, deactivateWorkers, undoDeactivations } from '../workers/workers.service';
import {
  appliedSince,
  deleteGuards,
  findGuards,
  type GuardRow,
  type GuardWrite,
  lockGuard,
  putGuards,
  raiseMarker,
} from './deactivation-guard.repository';
import { type Reason, reason } from './reasons';

/**
 * The mass-deactivation safeguard (design.md "Matching and rules"), one set of rules for every way
 * a deactivation arrives:
 *  - a **sync** decides on all of its deactivations at the end: past the threshold it deactivates
 *    nobody and stops as `needs_review`;
 *  - **webhooks** arrive one user at a time, so theirs count over a rolling window
 *    (`WEBHOOK_WINDOW_MINUTES`): while the window stays under the threshold each applies at once;
 *    the one that passes it opens the company's webhook review, the window's earlier webhook
 *    deactivations are undone and held in it too, and every later one joins it until an admin
 *    decides;
 *  - a user **held** in a waiting review is deactivated by nothing but Confirm: webhooks leave
 *    them to any review, a sync leaves them to the webhooks' review (a sync's own review is
 *    superseded by the next sync that stops, which lists them again);
 *  - **Cancel** is remembered per user with Procore's `updated_at` as of the hold: the user stays
 *    active, whatever webhook retries, hourly or full syncs bring, until Procore shows a newer
 *    `updated_at` (then the user is judged afresh, the safeguard included);
 *  - a held or cancelled user who is active again in Procore is taken off the review and
 *    forgotten.
 * Every decision is taken under the company's guard lock (`lockGuard`), before any worker write of
 * its transaction.
 */

/** More than this share of synced workers (and at least MIN) stops for review. */
export const SAFEGUARD_SHARE = 0.2;
export const SAFEGUARD_MIN = 10;
/** Deactivations by webhook count against the threshold over this many minutes. */
const WEBHOOK_WINDOW_MINUTES = 60;
const WEBHOOK_WINDOW_MS = WEBHOOK_WINDOW_MINUTES * 60_000;

export function safeguardTrips(deactivations: number, syncedWorkers: number): boolean {
  return deactivations >= SAFEGUARD_MIN && deactivations > SAFEGUARD_SHARE * syncedWorkers;
}

/** A deactivation decided but not yet written (apply-users.ts `deferDeactivations`). */
export interface DeferredDeactivation {
  workerId: string;
  reasonText: string;
  /** Procore's `updated_at` for the user as read; null when Procore no longer lists them. */
  procoreUpdatedAt: Date | null;
  entry: EntryDraft;
}

const percent = (n: number, of: number) => Math.round((100 * n) / Math.max(of, 1));

/** True when Procore shows the user as it was when the deactivation was cancelled. */
function unchangedSince(marker: Date | null, current: Date | null): boolean {
  if (marker === null) return current === null;
  return current !== null && current.getTime() <= marker.getTime();
}

function leftActive(d: DeferredDeactivation, why: Reason): EntryDraft {
  return {
    ...d.entry,
    action: 'unchanged',
    reasonCode: why.code,
    reason: d.entry.reason ? `${d.entry.reason}; ${why.text}` : why.text,
    changes: [],
  };
}

function guardOf(
  d: DeferredDeactivation,
  state: GuardWrite['state'],
  runId: string | null,
  at: Date,
): GuardWrite {
  return {
    procoreUserId: d.entry.procoreUserId,
    workerId: d.workerId,
    state,
    runId,
    procoreUpdatedAt: d.procoreUpdatedAt,
    reasonCode: d.entry.reasonCode ?? '',
    reason: d.reasonText,
    at,
  };
}

/**
 * Splits deactivations into those the rules let through to the threshold and those left active
 * (held in a waiting review, or cancelled and unchanged since), with the entry saying why.
 */
async function sortOut(
  trx: Transaction<Database>,
  companyId: string,
  deferred: readonly DeferredDeactivation[],
  caller: 'sync' | 'webhook',
): Promise<{ proceed: DeferredDeactivation[]; left: EntryDraft[] }> {
  const guards = await findGuards(
    trx,
    companyId,
    deferred.map((d) => d.entry.procoreUserId),
    ['held', 'cancelled'],
  );
  const runs = await runStates(
    trx,
    companyId,
    [...guards.values()].flatMap((g) => (g.state === 'held' && g.run_id ? [g.run_id] : [])),
  );
  const proceed: DeferredDeactivation[] = [];
  const left: EntryDraft[] = [];
  for (const d of deferred) {
    const g = guards.get(d.entry.procoreUserId);
    const run = g?.state === 'held' && g.run_id ? runs.get(g.run_id) : undefined;
    // A run still working has just held them and is about to stop for review.
    const waiting =
      run &&
      (run.status === 'needs_review' || run.status === 'running') &&
      (caller === 'webhook' || run.trigger === 'webhook');
    if (g && waiting) {
      if (d.procoreUpdatedAt && !unchangedSince(g.procore_updated_at, d.procoreUpdatedAt)) {
        // A Cancel then covers what Procore showed up to now.
        await raiseMarker(trx, companyId, g.procore_user_id, d.procoreUpdatedAt);
      }
      left.push(leftActive(d, reason('held_for_review')));
    } else if (g?.state === 'cancelled' && unchangedSince(g.procore_updated_at, d.procoreUpdatedAt)) {
      left.push(leftActive(d, reason('deactivation_cancelled', { adminName: g.cancelled_by_name })));
    } else {
      proceed.push(d);
    }
  }
  return { proceed, left };
}

/** What a sync would do with these deactivations (the preview, in a transaction it rolls back). */
export function sortOutDeactivations(
  trx: Transaction<Database>,
  companyId: string,
  deferred: readonly DeferredDeactivation[],
) {
  return sortOut(trx, companyId, deferred, 'sync');
}

/** Deactivates, one statement per reason; answers the workers it deactivated. */
async function deactivate(
  trx: Transaction<Database>,
  companyId: string,
  deferred: readonly DeferredDeactivation[],
  now: Date,
): Promise<Set<string>> {
  const byReason = new Map<string, string[]>();
  for (const d of deferred) byReason.set(d.reasonText, [...(byReason.get(d.reasonText) ?? []), d.workerId]);
  const done = new Set<string>();
  for (const [why, ids] of byReason) {
    for (const id of await deactivateWorkers(trx, companyId, ids, why, now)) done.add(id);
  }
  return done;
}

/**
 * A sync's deactivations, decided at its end in one transaction with their entries: applied, or
 * (past the threshold) only listed as `would_deactivate` for an admin. Users the rules leave
 * active are recorded as `unchanged` with the reason. Answers whether the run is held and how
 * many deactivations the threshold judged.
 */
export async function settleSyncDeactivations(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  deferred: readonly DeferredDeactivation[],
  syncedWorkers: number,
  now: Date,
): Promise<{ hold: boolean; count: number }> {
  if (deferred.length === 0) return { hold: false, count: 0 };
  return db.transaction().execute(async (trx) => {
    await lockGuard(trx, companyId);
    const { proceed, left } = await sortOut(trx, companyId, deferred, 'sync');
    const hold = safeguardTrips(proceed.length, syncedWorkers);
    if (hold) {
      await putGuards(
        trx,
        companyId,
        proceed.map((d) => guardOf(d, 'held', runId, now)),
      );
    } else {
      await deactivate(trx, companyId, proceed, now);
      // Whatever was remembered about them (a stale hold, a cancel Procore has moved past) is over.
      await deleteGuards(
        trx,
        companyId,
        proceed.map((d) => d.entry.procoreUserId),
      );
    }
    const action = hold ? ('would_deactivate' as const) : ('deactivated' as const);
    await recordEntries(trx, companyId, runId, [...left, ...proceed.map((d) => ({ ...d.entry, action }))], {
      seen: 0,
      now,
    });
    return { hold, count: proceed.length };
  });
}

function webhookReviewReason(held: number, syncedWorkers: number): string {
  return (
    `Procore's webhooks would deactivate ${held} of ${syncedWorkers} synced workers ` +
    `(${percent(held, syncedWorkers)}%), more than ${Math.round(SAFEGUARD_SHARE * 100)}% within ` +
    `${WEBHOOK_WINDOW_MINUTES} minutes. Nobody was deactivated: an admin must confirm or cancel.`
  );
}

/**
 * A webhook's deactivation (normally one), in the webhook's transaction: applied at once while
 * the rolling window stays under the threshold, otherwise held in the company's one webhook
 * review. Answers the entries for the hour's webhook log (what was deactivated, and what was
 * reactivated because the window's earlier deactivations are held after all).
 */
export async function settleWebhookDeactivations(
  trx: Transaction<Database>,
  companyId: string,
  deferred: readonly DeferredDeactivation[],
  at: Date,
): Promise<EntryDraft[]> {
  if (deferred.length === 0) return [];
  await lockGuard(trx, companyId);
  const { proceed } = await sortOut(trx, companyId, deferred, 'webhook');
  if (proceed.length === 0) return [];

  const applied = await appliedSince(trx, companyId, new Date(at.getTime() - WEBHOOK_WINDOW_MS));
  // The synced workers before the window's deactivations.
  const syncedWorkers = (await countSyncedActiveWorkers(trx, companyId)) + applied.length;
  const open = await findOpenWebhookReview(trx, companyId);
  const held = [...proceed];
  const log: EntryDraft[] = [];
  if (!open) {
    if (!safeguardTrips(applied.length + proceed.length, syncedWorkers)) {
      const done = await deactivate(trx, companyId, proceed, at);
      const deactivated = proceed.filter((d) => done.has(d.workerId));
      await putGuards(
        trx,
        companyId,
        deactivated.map((d) => guardOf(d, 'applied', null, at)),
      );
      return deactivated.map((d) => d.entry);
    }
  }
  const review = open ?? (await openWebhookReview(trx, companyId, at));
  if (!open) held.push(...(await undoWindow(trx, companyId, applied, at, log)));
  await putGuards(
    trx,
    companyId,
    held.map((d) => guardOf(d, 'held', review.id, at)),
  );
  await recordEntries(
    trx,
    companyId,
    review.id,
    held.map((d) => ({ ...d.entry, action: 'would_deactivate' as const })),
    { seen: held.length, now: at },
  );
  await updateReview(trx, companyId, review.id, {
    reason: webhookReviewReason(review.would_deactivate + held.length, syncedWorkers),
    at,
  });
  return log;
}

/**
 * The window's webhook deactivations, undone to be held with the one that passed the threshold:
 * each worker still as its deactivation left it is active again (a `reactivated` entry in `log`);
 * the others (reactivated or changed since) are forgotten.
 */
async function undoWindow(
  trx: Transaction<Database>,
  companyId: string,
  applied: readonly GuardRow[],
  at: Date,
  log: EntryDraft[],
): Promise<DeferredDeactivation[]> {
  const undone = new Map(
    (
      await undoDeactivations(
        trx,
        companyId,
        applied.map((a) => ({ workerId: a.worker_id, at: a.at })),
        at,
      )
    ).map((w) => [w.id, w]),
  );
  const why = reason('held_for_review');
  const held: DeferredDeactivation[] = [];
  for (const a of applied) {
    const w = undone.get(a.worker_id);
    if (!w) continue;
    const entry: EntryDraft = {
      procoreUserId: a.procore_user_id,
      workerId: w.id,
      name: `${w.first_name} ${w.last_name}`.trim(),
      email: w.email,
      action: 'would_deactivate',
      reasonCode: a.reason_code,
      reason: a.reason,
      changes: [{ field: 'active', from: 'yes', to: 'no' }],
      warnings: [],
    };
    held.push({ workerId: w.id, reasonText: a.reason, procoreUpdatedAt: a.procore_updated_at, entry });
    log.push({
      ...entry,
      action: 'reactivated',
      reasonCode: why.code,
      reason: `${a.reason}; ${why.text}`,
      changes: [{ field: 'active', from: 'no', to: 'yes' }],
    });
  }
  await deleteGuards(
    trx,
    companyId,
    applied.filter((a) => !undone.has(a.worker_id)).map((a) => a.procore_user_id),
  );
  return held;
}

/**
 * Of these users, seen active in Procore, the ones held or cancelled as of an older Procore
 * state: `releaseUsers` takes them off their review and forgets them. When there are any, the
 * company's guard lock is taken for the rest of the transaction: call before writing a worker.
 */
export async function usersToRelease(
  trx: Transaction<Database>,
  companyId: string,
  users: ReadonlyArray<{ id: string; updatedAt: Date | null }>,
): Promise<string[]> {
  if (users.length === 0) return [];
  const guards = await findGuards(
    trx,
    companyId,
    users.map((u) => u.id),
    ['held', 'cancelled'],
  );
  if (guards.size === 0) return [];
  const release = users
    .filter((u) => {
      const g = guards.get(u.id);
      // A read older than the hold's is not news.
      return g && !(u.updatedAt && g.procore_updated_at && u.updatedAt <= g.procore_updated_at);
    })
    .map((u) => u.id);
  if (release.length > 0) await lockGuard(trx, companyId);
  return release;
}

export async function releaseUsers(
  trx: Transaction<Database>,
  companyId: string,
  procoreUserIds: readonly string[],
  now: Date,
): Promise<void> {
  const guards = await findGuards(trx, companyId, procoreUserIds, ['held', 'cancelled']);
  if (guards.size === 0) return;
  const byRun = new Map<string, string[]>();
  for (const g of guards.values()) {
    if (g.state === 'held' && g.run_id)
      byRun.set(g.run_id, [...(byRun.get(g.run_id) ?? []), g.procore_user_id]);
  }
  const runs = await runStates(trx, companyId, [...byRun.keys()]);
  for (const [runId, ids] of byRun) {
    if (runs.get(runId)?.status === 'needs_review') {
      await releaseFromReview(trx, companyId, runId, ids, reason('active_again'), now);
    }
  }
  await deleteGuards(trx, companyId, [...guards.keys()]);
}
