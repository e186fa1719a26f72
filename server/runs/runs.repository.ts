import { type ExpressionBuilder, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Database, RunKind, SyncMode, SyncRunsTable, SyncStatus, SyncTrigger } from '../db/database';
import { leaseHeld } from '../db/process-lease';
import { mentionsPerson } from './entries.repository';
import type { RunCounts } from './run-entry';

/**
 * `sync_runs`: every run is a record (style.md rule 16), whatever its kind. Every query carries
 * `companyId` (rule 10); the partial unique index `sync_runs_one_active_per_company_kind` makes
 * "one queued or running run per company and kind" a database fact, not a check-then-act.
 */
export type RunRow = Selectable<SyncRunsTable>;

const ACTIVE_STATUSES: SyncStatus[] = ['queued', 'running'];

export interface NewRun {
  companyId: string;
  kind: RunKind;
  trigger: Exclude<SyncTrigger, 'webhook'>;
  mode: Exclude<SyncMode, 'webhook'>;
  startedByUserId: string | null;
  startedByName: string | null;
  now: Date;
  /** What a manual timesheet send covers (one project, a date range). */
  scope?: { projectId: string; projectName: string | null; from: string; to: string };
  /** The process lease of the process queuing it (db/process-lease.ts), until a process claims it. */
  ownerKey?: number | null;
}

/** Inserts a queued run, or returns undefined when one of its kind is already queued or running. */
export async function insertQueuedRun(db: Kysely<Database>, run: NewRun): Promise<RunRow | undefined> {
  return db
    .insertInto('sync_runs')
    .values({
      company_id: run.companyId,
      kind: run.kind,
      trigger: run.trigger,
      mode: run.mode,
      started_by_user_id: run.startedByUserId,
      started_by_name: run.startedByName,
      status: 'queued',
      queued_at: run.now,
      ...(run.scope
        ? {
            scope_project_id: run.scope.projectId,
            scope_project_name: run.scope.projectName,
            scope_from: run.scope.from,
            scope_to: run.scope.to,
          }
        : {}),
      owner_key: run.ownerKey ?? null,
    })
    .onConflict((oc) =>
      oc
        .columns(['company_id', 'kind'])
        .where('status', 'in', ACTIVE_STATUSES)
        .where('trigger', '<>', 'webhook')
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export function findActiveRun(db: Kysely<Database>, companyId: string, kind: RunKind) {
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('kind', '=', kind)
    .where('status', 'in', ACTIVE_STATUSES)
    .where('trigger', '<>', 'webhook')
    .executeTakeFirst();
}

export function findRun(db: Kysely<Database>, companyId: string, runId: string) {
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .executeTakeFirst();
}

/** The run, locked for the rest of the caller's transaction. */
export function lockRun(trx: Transaction<Database>, companyId: string, runId: string) {
  return trx
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setRunJob(db: Kysely<Database>, companyId: string, runId: string, jobId: string) {
  await db
    .updateTable('sync_runs')
    .set({ job_id: jobId })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .execute();
}

/**
 * queued → running, once: a second delivery of the same job finds nothing to claim. The run
 * records the claiming process's lease, so its death is seen at once.
 */
export function claimRun(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  now: Date,
  ownerKey: number | null = null,
) {
  return db
    .updateTable('sync_runs')
    .set({ status: 'running', started_at: now, heartbeat_at: now, owner_key: ownerKey })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
}

/** False when the run is no longer running (finished, or marked failed by recovery). */
export async function heartbeat(db: Kysely<Database>, companyId: string, runId: string, now: Date) {
  const result = await db
    .updateTable('sync_runs')
    .set({ heartbeat_at: now })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Adds a batch's counts and progress, in the batch's own transaction. */
export async function addRunProgress(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  delta: { seen: number; counts: RunCounts; total?: number | null; now: Date },
): Promise<void> {
  const c = delta.counts;
  await db
    .updateTable('sync_runs')
    .set((eb) => ({
      seen: eb('seen', '+', delta.seen),
      created: eb('created', '+', c.created),
      updated: eb('updated', '+', c.updated),
      unchanged: eb('unchanged', '+', c.unchanged),
      deactivated: eb('deactivated', '+', c.deactivated),
      reactivated: eb('reactivated', '+', c.reactivated),
      skipped: eb('skipped', '+', c.skipped),
      failed: eb('failed', '+', c.failed),
      warnings: eb('warnings', '+', c.warnings),
      would_deactivate: eb('would_deactivate', '+', c.would_deactivate),
      heartbeat_at: delta.now,
      ...(delta.total !== undefined ? { total: delta.total } : {}),
    }))
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .execute();
}

export async function setRunTotal(db: Kysely<Database>, companyId: string, runId: string, total: number) {
  await db
    .updateTable('sync_runs')
    .set({ total })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .execute();
}

export interface RunEnd {
  status: SyncStatus;
  reason: string | null;
  now: Date;
  /** Only a run still in one of these is changed (a cancel cannot be overwritten). */
  fromStatuses?: SyncStatus[];
  /** Counter changes made by the ending itself (a confirmed review). */
  counts?: Partial<Pick<RunCounts, 'deactivated' | 'unchanged'>> & { clearWouldDeactivate?: boolean };
  reviewedBy?: string;
}

export function finishRun(db: Kysely<Database>, companyId: string, runId: string, end: RunEnd) {
  return db
    .updateTable('sync_runs')
    .set((eb) => ({
      status: end.status,
      status_reason: end.reason,
      heartbeat_at: null,
      ...(end.reviewedBy
        ? { reviewed_by_name: end.reviewedBy, reviewed_at: end.now }
        : { finished_at: end.now }),
      ...(end.counts?.deactivated ? { deactivated: eb('deactivated', '+', end.counts.deactivated) } : {}),
      ...(end.counts?.unchanged ? { unchanged: eb('unchanged', '+', end.counts.unchanged) } : {}),
      ...(end.counts?.clearWouldDeactivate ? { would_deactivate: 0 } : {}),
    }))
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where('status', 'in', end.fromStatuses ?? ['running'])
    .returningAll()
    .executeTakeFirst();
}

/** Disconnect or uninstall: the company's pending runs of every kind stop. */
export async function cancelActiveRuns(db: Kysely<Database>, companyId: string, reason: string) {
  await db
    .updateTable('sync_runs')
    .set({ status: 'canceled', status_reason: reason, finished_at: new Date(), heartbeat_at: null })
    .where('company_id', '=', companyId)
    .where('status', 'in', ['queued', 'running', 'needs_review'])
    .execute();
}

export interface RunFilter {
  trigger?: SyncTrigger;
  status?: SyncStatus;
  /** Only runs with an entry whose name or email contains this (case-insensitive). */
  person?: string;
}

/**
 * Newest first, keyset-paged by id (a company's ids rise with its run numbers: the numbering
 * trigger draws both under one lock), optionally filtered.
 */
export function listRuns(
  db: Kysely<Database>,
  companyId: string,
  page: { beforeId?: string; limit: number; kind?: RunKind } & RunFilter,
) {
  let q = db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('kind', '=', page.kind ?? 'users');
  if (page.beforeId) q = q.where('id', '<', page.beforeId);
  if (page.trigger) q = q.where('trigger', '=', page.trigger);
  if (page.status) q = q.where('status', '=', page.status);
  if (page.person) q = q.where(mentionsPerson(companyId, sql.ref('sync_runs.id'), page.person));
  return q.orderBy('id', 'desc').limit(page.limit).execute();
}

/**
 * Whether an active run's process is known to be gone: its owner's lease is not held, or, for a
 * run of a process without a lease, its heartbeat (running) or queue time (queued, no job yet)
 * is older than `staleBefore`. A queued run with a job is alive while its job is; the caller asks
 * the queue.
 */
function ownerGone(staleBefore: Date) {
  // A live process whose work on a run stopped without ending it (its last write failed while
  // the database was away) stops the heartbeat too: after this long the run is abandoned.
  const abandonedBefore = new Date(staleBefore.getTime() - ABANDONED_AFTER_MS);
  return (eb: ExpressionBuilder<Database, 'sync_runs'>) =>
    eb.or([
      eb.and([eb('owner_key', 'is not', null), eb.not(leaseHeld(eb.ref('owner_key')))]),
      eb.and([
        eb('owner_key', 'is', null),
        eb(sql`coalesce(heartbeat_at, started_at, queued_at)`, '<', staleBefore),
      ]),
      eb.and([
        eb('status', '=', 'running'),
        eb(sql`coalesce(heartbeat_at, started_at, queued_at)`, '<', abandonedBefore),
      ]),
    ]);
}

/** Beyond the stale window: about 30 missed heartbeats, far past any pause of a working run. */
const ABANDONED_AFTER_MS = 150_000;

/** Runs a restart may have orphaned: running or queued without a job, whose process is gone; queued with a job. */
export function listOrphanCandidates(db: Kysely<Database>, staleBefore: Date) {
  return db
    .selectFrom('sync_runs')
    .select(['id', 'company_id', 'kind', 'status', 'job_id', 'queued_at'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'running'), ownerGone(staleBefore)(eb)]),
        eb.and([eb('status', '=', 'queued'), eb('job_id', 'is', null), ownerGone(staleBefore)(eb)]),
        eb.and([eb('status', '=', 'queued'), eb('job_id', 'is not', null)]),
      ]),
    )
    .where('trigger', '<>', 'webhook')
    .execute();
}

/**
 * Ends an active run whose process is gone (see `ownerGone`); undefined when it is alive, or
 * queued with a job (the queue decides that one). One statement, so a run claimed a moment ago
 * by a live process is never ended.
 */
export function failRunIfOwnerGone(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  end: { reason: string; now: Date; staleBefore: Date },
) {
  return db
    .updateTable('sync_runs')
    .set({ status: 'failed', status_reason: end.reason, heartbeat_at: null, finished_at: end.now })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where((eb) =>
      eb.or([eb('status', '=', 'running'), eb.and([eb('status', '=', 'queued'), eb('job_id', 'is', null)])]),
    )
    .where((eb) => ownerGone(end.staleBefore)(eb))
    .returningAll()
    .executeTakeFirst();
}

/** A process shutting down ends the runs it is still working (its jobs did not drain in time). */
export async function failRunsOfOwner(
  db: Kysely<Database>,
  ownerKey: number,
  end: { reason: string; now: Date },
): Promise<string[]> {
  const rows = await db
    .updateTable('sync_runs')
    .set({ status: 'failed', status_reason: end.reason, heartbeat_at: null, finished_at: end.now })
    .where('owner_key', '=', String(ownerKey))
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Older sync runs of the kind still waiting for review are superseded by a newer one. The
 * webhooks' review is not: the sync left its users to it (server/sync/safeguard.ts).
 */
export async function supersedeReviews(db: Kysely<Database>, companyId: string, keep: RunRow, now: Date) {
  await db
    .updateTable('sync_runs')
    .set({ status: 'canceled', status_reason: `Superseded by run #${keep.number}`, finished_at: now })
    .where('company_id', '=', companyId)
    .where('kind', '=', keep.kind)
    .where('status', '=', 'needs_review')
    .where('trigger', '<>', 'webhook')
    .where('id', '<>', keep.id)
    .execute();
}

/** The review of deactivations held by webhook that is waiting for an admin, if any. */
export function findOpenWebhookReview(db: Kysely<Database>, companyId: string) {
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('trigger', '=', 'webhook')
    .where('status', '=', 'needs_review')
    .executeTakeFirst();
}

/**
 * The company's one waiting webhook review (the partial unique index
 * `sync_runs_one_webhook_review`), made now if there is none.
 */
export async function openWebhookReview(trx: Transaction<Database>, companyId: string, at: Date) {
  await trx
    .insertInto('sync_runs')
    .values({
      company_id: companyId,
      trigger: 'webhook',
      mode: 'webhook',
      status: 'needs_review',
      queued_at: at,
      started_at: at,
      finished_at: at,
    })
    .onConflict((oc) =>
      oc
        .column('company_id')
        .where('trigger', '=', 'webhook')
        .where('status', '=', 'needs_review')
        .doNothing(),
    )
    .execute();
  const run = await findOpenWebhookReview(trx, companyId);
  if (!run) throw new Error('the webhook review was neither made nor found');
  return run;
}

/** A held deactivation joined a waiting review: its reason is told again, its time moves on. */
export async function updateReview(
  trx: Transaction<Database>,
  companyId: string,
  runId: string,
  review: { reason: string; at: Date },
) {
  await trx
    .updateTable('sync_runs')
    .set((eb) => ({
      status_reason: review.reason,
      finished_at: sql<Date>`greatest(${eb.ref('finished_at')}, ${review.at})`,
    }))
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where('status', '=', 'needs_review')
    .execute();
}

/** How each of these runs stands (a missing one was purged). */
export async function runStates(
  db: Kysely<Database>,
  companyId: string,
  runIds: readonly string[],
): Promise<Map<string, { status: SyncStatus; trigger: SyncTrigger }>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('sync_runs')
    .select(['id', 'status', 'trigger'])
    .where('company_id', '=', companyId)
    .where('id', 'in', [...new Set(runIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, { status: r.status, trigger: r.trigger }]));
}

/**
 * The hour's webhook run of a company, made on the first change of the hour through the partial
 * unique index `sync_runs_webhook_bucket`; `finished_at` follows the latest change.
 */
export async function upsertBucketRun(trx: Transaction<Database>, companyId: string, at: Date, bucket: Date) {
  const run = await trx
    .insertInto('sync_runs')
    .values({
      company_id: companyId,
      trigger: 'webhook',
      mode: 'webhook',
      status: 'succeeded',
      queued_at: at,
      started_at: at,
      finished_at: at,
      bucket_start: bucket,
    })
    .onConflict((oc) =>
      oc
        .columns(['company_id', 'bucket_start'])
        .where('trigger', '=', 'webhook')
        .doUpdateSet({ finished_at: sql`greatest(sync_runs.finished_at, excluded.finished_at)` }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return run.id;
}

/** `partial` once any change of the bucket could not be saved, like a manual run with failures. */
export async function settleBucketRun(trx: Transaction<Database>, companyId: string, runId: string) {
  await trx
    .updateTable('sync_runs')
    .set({
      status: sql`case when failed > 0 then 'partial' else 'succeeded' end`,
      status_reason: sql`case when failed > 0 then failed || ' change(s) could not be saved' else null end`,
      heartbeat_at: null,
    })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .execute();
}

/**
 * Retention: finished runs (their entries go with them, `on delete cascade`) that ended before
 * `before`, except each company's `keepLatest` newest runs of each kind, so a quiet company always
 * has its recent history, and its newest run number is always kept (the next run counts on from
 * it). Queued, running and needs-review runs are never purged.
 */
export async function purgeFinishedRuns(
  db: Kysely<Database>,
  before: Date,
  keepLatest: number,
): Promise<number> {
  const result = await db
    .deleteFrom('sync_runs')
    .where('status', 'not in', ['queued', 'running', 'needs_review'])
    .where(sql<Date>`coalesce(finished_at, queued_at)`, '<', before)
    .where('id', 'not in', (eb) =>
      eb
        .selectFrom(
          eb
            .selectFrom('sync_runs as r')
            .select([
              'r.id',
              sql<number>`row_number() over (partition by r.company_id, r.kind order by r.id desc)`.as(
                'rank',
              ),
            ])
            .as('ranked'),
        )
        .select('ranked.id')
        .where('ranked.rank', '<=', keepLatest),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A run's outcome as far as "did it work" goes: a review waiting is not a failure. */
const ENDED_NOT_CANCELED: SyncStatus[] = ['succeeded', 'partial', 'failed', 'needs_review'];
const WORKED: SyncStatus[] = ['succeeded', 'partial'];

/**
 * The newest automatic run of the kind, when it failed and no run of the kind (manual or
 * automatic) has worked since; undefined otherwise (alerts: "the last automatic run failed").
 */
export async function findFailingAutoRun(db: Kysely<Database>, companyId: string, kind: RunKind) {
  const last = await db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('kind', '=', kind)
    .where('trigger', '=', 'auto')
    .where('status', 'in', ENDED_NOT_CANCELED)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last?.status !== 'failed') return undefined;
  const workedSince = await db
    .selectFrom('sync_runs')
    .select('id')
    .where('company_id', '=', companyId)
    .where('kind', '=', kind)
    .where('trigger', '<>', 'webhook')
    .where('status', 'in', WORKED)
    .where('id', '>', last.id)
    .limit(1)
    .executeTakeFirst();
  return workedSince ? undefined : last;
}

/** The newest run of the kind that worked (succeeded, or partly), manual or automatic. */
export function findLastWorkedRun(db: Kysely<Database>, companyId: string, kind: RunKind) {
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('kind', '=', kind)
    .where('trigger', '<>', 'webhook')
    .where('status', 'in', WORKED)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The newest run waiting for an admin to confirm or cancel its deactivations. */
export function findWaitingReview(db: Kysely<Database>, companyId: string) {
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('status', '=', 'needs_review')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
