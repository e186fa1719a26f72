import type { Kysely, Transaction } from 'kysely';
import type { Database, FieldChange, RunKind } from '../db/database';
import { processLeaseKey } from '../db/process-lease';
import { AppError, notFound } from '../errors';
import { INTERRUPTED_REASON } from '../procore/failure-policy';
import * as entries from './entries.repository';
import {
  type BatchedDraft,
  countEntries,
  countTimesheetEntries,
  type EntryDraft,
  isBatchable,
  isNotable,
  mergeEntry,
  type RunCounts,
  type TimesheetEntryDraft,
  zeroCounts,
} from './run-entry';
import * as runs from './runs.repository';

/**
 * Runs of every kind (a user sync, a timesheet send): asking for one, the bookkeeping while it
 * works, and how it ends. Features call this module; none touches the run tables.
 */
export type { EntryRow, TimesheetEntryRow, WorkerEntryRow } from './entries.repository';
export {
  eachEntryPage,
  findPersonEntries,
  listAllEntries,
  listEntries,
  listRunWorkerIds,
  listTimesheetEntries,
  listWorkerEntries,
  setEntriesAction,
} from './entries.repository';
export {
  countEntry,
  type EntryDraft,
  type RunCounts,
  type TimesheetEntryDraft,
  zeroCounts,
} from './run-entry';
export type { RunRow } from './runs.repository';
export {
  findFailingAutoRun,
  findLastWorkedRun,
  findOpenWebhookReview,
  findWaitingReview,
  finishRun,
  listRuns,
  openWebhookReview,
  purgeFinishedRuns,
  runStates,
  setRunTotal,
  supersedeReviews,
  updateReview,
} from './runs.repository';

export interface RequestedRun {
  run: runs.RunRow;
  /** False when an already queued or running run of the kind was returned. */
  created: boolean;
}

/**
 * One queued or running run per company and kind, so pressing Sync again, or the hourly run
 * firing while a manual one works, returns the run in flight. `enqueue` hands the run to the
 * job queue and answers the job id. A run whose process is gone (killed, restarted) is never
 * handed back: it is ended as interrupted and a new one is queued.
 */
export async function requestRun(
  db: Kysely<Database>,
  request: runs.NewRun,
  enqueue: (run: runs.RunRow) => Promise<string | null>,
): Promise<RequestedRun> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const run = await runs.insertQueuedRun(db, { ...request, ownerKey: processLeaseKey(db) });
    if (run) {
      try {
        const jobId = await enqueue(run);
        if (jobId) await runs.setRunJob(db, run.company_id, run.id, jobId);
        return { run: { ...run, job_id: jobId }, created: true };
      } catch (err) {
        await runs.finishRun(db, run.company_id, run.id, {
          status: 'failed',
          reason: 'The run could not be queued; try again in a minute.',
          now: new Date(),
          fromStatuses: ['queued'],
        });
        throw err;
      }
    }
    // Someone else's run holds the slot; it may finish between our insert and this read.
    const active = await runs.findActiveRun(db, request.companyId, request.kind);
    if (!active) continue;
    const now = new Date();
    const dead = await runs.failRunIfOwnerGone(db, active.company_id, active.id, {
      reason: INTERRUPTED_REASON,
      now,
      staleBefore: new Date(now.getTime() - DEFAULT_STALE_AFTER_MS),
    });
    if (!dead) return { run: active, created: false };
  }
  throw new AppError('conflict', 'Another run is starting; try again in a moment.');
}

export async function requireRun(db: Kysely<Database>, companyId: string, runId: string) {
  const run = await runs.findRun(db, companyId, runId);
  if (!run) throw notFound('Sync run');
  return run;
}

export const stopActiveRuns = runs.cancelActiveRuns;

export interface RunnerDeps {
  db: Kysely<Database>;
  /** Injectable clock (tests compress time). */
  now?: () => Date;
  heartbeatMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;

/**
 * Runs one queued run to its end, whatever its kind: claim it (queued → running, once), keep a
 * heartbeat while `work` runs so a crashed process's run is recognised (`recoverInterruptedRuns`),
 * and when `work` throws, end it `failed` with the reason `failure.reason` gives, then let
 * `failure.after` act on the error. `work` ends the run itself when it succeeds.
 */
export async function executeRun(
  deps: RunnerDeps,
  companyId: string,
  runId: string,
  work: (run: runs.RunRow, signal: AbortSignal) => Promise<runs.RunRow | undefined>,
  failure: { reason(err: unknown): string; after(err: unknown): Promise<unknown> },
): Promise<runs.RunRow | undefined> {
  const now = deps.now ?? (() => new Date());
  const run = await runs.claimRun(deps.db, companyId, runId, now(), processLeaseKey(deps.db));
  if (!run) return undefined; // already run, cancelled or marked failed: nothing to do
  const abort = new AbortController();
  const beat = setInterval(() => {
    // If someone else ended the run (recovery thought us dead), stop working on it.
    runs
      .heartbeat(deps.db, companyId, runId, now())
      .then((alive) => {
        if (!alive) abort.abort();
      })
      .catch(() => {});
  }, deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  try {
    return await work(run, abort.signal);
  } catch (err) {
    const reason = failure.reason(err);
    // The failure may be the database itself going away: keep trying to say so until it is back.
    const finished = await persistently(() =>
      runs.finishRun(deps.db, companyId, runId, { status: 'failed', reason, now: now() }),
    );
    await failure.after(err);
    return finished;
  } finally {
    clearInterval(beat);
  }
}

/**
 * Retries a write for up to about two minutes (1 s, 2 s, 4 s … 15 s apart), for the writes that
 * end a run: a database that restarts is back within that. After that the error is thrown, and
 * the run, its heartbeat stopped, is found abandoned later (`runs.repository.ts`, `ownerGone`).
 */
async function persistently<T>(write: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 15_000)) {
    try {
      return await write();
    } catch (err) {
      if (!databaseUnreachable(err) || Date.now() + delay > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * The database went away (a restart, a failover, connections terminated) rather than refusing
 * the statement: PostgreSQL's "admin shutdown" and "connection exception" classes, and sockets
 * that closed or could not open.
 */
function databaseUnreachable(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (/^(57P0[1-3]|08)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE)$/.test(code))
  )
    return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect/.test(message)
  );
}

export const DEFAULT_STALE_AFTER_MS = 30_000;

/**
 * Crash safety: a run whose process died is marked failed, so the company can run again; nothing
 * is lost, because every batch was committed with its entries and the next run picks up.
 *  - running, or queued before its job was sent: its process's lease is not held (at once), or,
 *    for a run of a process without a lease, no heartbeat for `staleAfterMs`;
 *  - queued with a job: its job is gone or already ended (`jobIsLive`).
 */
export async function recoverInterruptedRuns(
  db: Kysely<Database>,
  jobIsLive: (run: { kind: RunKind; job_id: string }) => Promise<boolean>,
  reason: string,
  opts: { now?: Date; staleAfterMs?: number } = {},
): Promise<string[]> {
  const now = opts.now ?? new Date();
  const staleBefore = new Date(now.getTime() - (opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS));
  const recovered: string[] = [];
  for (const run of await runs.listOrphanCandidates(db, staleBefore)) {
    if (run.status === 'queued' && run.job_id) {
      const live = await jobIsLive({ kind: run.kind, job_id: run.job_id }).catch(() => false);
      if (live) continue;
    }
    const ended = await runs.finishRun(db, run.company_id, run.id, {
      status: 'failed',
      reason,
      now,
      fromStatuses: [run.status],
    });
    if (ended) recovered.push(run.id);
  }
  return recovered;
}

/**
 * A process shutting down whose jobs did not finish within the drain ends its own running runs,
 * rather than leaving them for the next process to find.
 */
export function failOwnRuns(db: Kysely<Database>, ownerKey: number): Promise<string[]> {
  return runs.failRunsOfOwner(db, ownerKey, { reason: INTERRUPTED_REASON, now: new Date() });
}

/** Records a batch's entries and counters on a run, in the batch's transaction. */
export async function recordEntries(
  trx: Transaction<Database>,
  companyId: string,
  runId: string,
  drafts: EntryDraft[],
  progress: { seen: number; now: Date },
): Promise<void> {
  await entries.insertEntries(trx, companyId, runId, drafts);
  await runs.addRunProgress(trx, companyId, runId, { ...progress, counts: countEntries(drafts) });
}

/** Batched entries are stored this many to a row, so a run that changed nothing writes a few rows. */
const ENTRIES_PER_BATCH = 5000;

/**
 * A manual or hourly run's entries that are never edited and tell no field change (people
 * created, unchanged or skipped: `isBatchable`), gathered across its pages and stored a few thousand to a row instead of a row
 * each; the run's list, its search, the .txt and a worker's history read them like any entry.
 * They count on the run when they are stored, so a run that stops before storing the last of them
 * counts exactly what its list shows. A page's transaction decides what is kept: `take` inside it,
 * then `committed` or `rolledBack` once it is over.
 */
export class EntryBatches {
  private kept: BatchedDraft[] = [];
  private staged: BatchedDraft[] = [];
  private storedWithPage = false;

  constructor(
    private readonly companyId: string,
    private readonly runId: string,
    private readonly perBatch = ENTRIES_PER_BATCH,
  ) {}

  /**
   * Takes a page's batchable entries and answers the others, numbered so the run's list shows
   * the page in the order it came; full batches are stored in `trx`.
   */
  async take(trx: Transaction<Database>, drafts: readonly EntryDraft[], now: Date): Promise<EntryDraft[]> {
    const ids = await entries.allocateEntryIds(trx, drafts.length);
    const others: EntryDraft[] = [];
    for (const [i, d] of drafts.entries()) {
      const numbered = { ...d, id: ids[i] as string };
      if (isBatchable(d)) this.staged.push(numbered);
      else others.push(numbered);
    }
    if (this.kept.length + this.staged.length >= this.perBatch) {
      await this.store(trx, [...this.kept, ...this.staged], now);
      this.storedWithPage = true;
    }
    return others;
  }

  committed(): void {
    if (this.storedWithPage) this.kept = [];
    else this.kept.push(...this.staged);
    this.staged = [];
    this.storedWithPage = false;
  }

  rolledBack(): void {
    this.staged = [];
    this.storedWithPage = false;
  }

  /** Stores what is left, at the run's end. */
  async storeRest(db: Kysely<Database>, now: Date): Promise<void> {
    if (this.kept.length === 0) return;
    const batch = this.kept;
    await db.transaction().execute((trx) => this.store(trx, batch, now));
    this.kept = [];
  }

  /** One row of plain "unchanged" people and one of the rest (creations, skips, warnings). */
  private async store(trx: Transaction<Database>, batch: BatchedDraft[], now: Date): Promise<void> {
    const notable = batch.filter(isNotable);
    const plain = batch.filter((e) => !isNotable(e));
    await entries.insertEntryBatch(trx, this.companyId, this.runId, plain, false);
    await entries.insertEntryBatch(trx, this.companyId, this.runId, notable, true);
    await runs.addRunProgress(trx, this.companyId, this.runId, { seen: 0, counts: countEntries(batch), now });
  }
}

/** Records a timesheet run's entries and counters, in the caller's transaction. */
export async function recordTimesheetEntries(
  trx: Kysely<Database>,
  companyId: string,
  runId: string,
  drafts: TimesheetEntryDraft[],
  now: Date,
): Promise<void> {
  if (drafts.length === 0) return;
  await entries.insertTimesheetEntries(trx, companyId, runId, drafts);
  await runs.addRunProgress(trx, companyId, runId, {
    seen: drafts.length,
    now,
    counts: countTimesheetEntries(drafts),
  });
}

export function hourStart(at: Date): Date {
  const d = new Date(at);
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/**
 * Changes that arrive one at a time (webhooks) are logged like any run, but gathered into one run
 * per company per hour so the logs are not flooded. The run counts people, not changes: a person
 * met again in the hour has one entry, with their latest result (`mergeEntry`).
 */
export async function recordBucketEntries(
  trx: Transaction<Database>,
  companyId: string,
  drafts: EntryDraft[],
  at: Date,
): Promise<string | null> {
  if (drafts.length === 0) return null;
  const runId = await runs.upsertBucketRun(trx, companyId, at, hourStart(at));
  const byPerson = new Map<string, EntryDraft[]>();
  for (const d of drafts) {
    const list = byPerson.get(d.procoreUserId);
    if (list) list.push(d);
    else byPerson.set(d.procoreUserId, [d]);
  }
  const earlier = await entries.findEntriesOf(trx, companyId, runId, [...byPerson.keys()]);
  const previous = new Map<string, EntryDraft>();
  for (const row of earlier) {
    const draft = rowToDraft(row);
    const before = previous.get(row.procore_user_id);
    previous.set(row.procore_user_id, before ? mergeEntry(before, draft) : draft);
  }
  // Each change is kept for the worker's history; the run lists the person once, merged.
  const rows: EntryDraft[] = [];
  const merged: EntryDraft[] = [];
  for (const [userId, changes] of byPerson) {
    let result = previous.get(userId) ?? null;
    for (const [i, d] of changes.entries()) {
      result = result ? mergeEntry(result, d) : d;
      if (i < changes.length - 1) rows.push({ ...d, superseded: true });
    }
    const last = changes.at(-1) as EntryDraft;
    // Merged with earlier changes: the entry also keeps what this change alone did.
    const own = result === last ? null : { action: last.action, changes: last.changes };
    rows.push({ ...(result as EntryDraft), own });
    merged.push(result as EntryDraft);
  }
  await entries.supersedeEntries(
    trx,
    companyId,
    runId,
    earlier.map((e) => e.id),
  );
  await entries.insertEntries(trx, companyId, runId, rows);
  const counts = countEntries(merged);
  const replaced = countEntries([...previous.values()]);
  for (const k of Object.keys(counts) as Array<keyof RunCounts>) counts[k] -= replaced[k];
  await runs.addRunProgress(trx, companyId, runId, {
    seen: merged.length - previous.size,
    counts,
    now: at,
  });
  await runs.settleBucketRun(trx, companyId, runId);
  return runId;
}

function rowToDraft(row: Omit<entries.EntryRow, 'run_id'>): EntryDraft {
  return {
    procoreUserId: row.procore_user_id,
    workerId: row.worker_id,
    name: row.name,
    email: row.email,
    action: row.action,
    reasonCode: row.reason_code,
    reason: row.reason,
    changes: row.changes as FieldChange[],
    warnings: row.warnings as string[],
    changedBy: row.changed_by_user_id
      ? { procoreUserId: row.changed_by_user_id, name: row.changed_by_name }
      : null,
  };
}

/** A run waiting for review, locked for the caller's transaction; refuses any other run. */
export async function lockRunForReview(trx: Transaction<Database>, companyId: string, runId: string) {
  const run = await runs.lockRun(trx, companyId, runId);
  if (!run) throw notFound('Sync run');
  if (run.status !== 'needs_review') {
    throw new AppError('conflict', 'This sync is not waiting for a review.');
  }
  return {
    run,
    wouldDeactivate: () => entries.listWouldDeactivate(trx, companyId, runId),
  };
}

/**
 * Takes Procore users off a waiting review (they are active again in Procore): their entries
 * become `unchanged` with `reason` and the review's counters follow, in the caller's transaction.
 */
export async function releaseFromReview(
  trx: Transaction<Database>,
  companyId: string,
  runId: string,
  procoreUserIds: readonly string[],
  reason: { code: string; text: string },
  now: Date,
): Promise<number> {
  const released = await entries.releaseWouldDeactivate(trx, companyId, runId, procoreUserIds, reason);
  if (released > 0) {
    const counts = zeroCounts();
    counts.would_deactivate = -released;
    counts.unchanged = released;
    await runs.addRunProgress(trx, companyId, runId, { seen: 0, counts, now });
  }
  return released;
}
