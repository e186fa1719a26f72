import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Database, SyncMode, SyncRunsTable, SyncStatus, SyncTrigger } from '../db/database';

/**
 * `sync_runs`: every run is a record (style.md rule 16). Every query carries `companyId`
 * (rule 10); the partial unique index `sync_runs_one_active_per_company` (initial migration)
 * makes "one queued or running manual/auto run per company" a database fact, not a check-then-act.
 */
type Db = Kysely<Database> | Transaction<Database>;
export type RunRow = Selectable<SyncRunsTable>;

export const ACTIVE_STATUSES: SyncStatus[] = ['queued', 'running'];

export interface NewRun {
  companyId: string;
  trigger: Exclude<SyncTrigger, 'webhook'>;
  mode: Exclude<SyncMode, 'webhook'>;
  startedByUserId: string | null;
  startedByName: string | null;
  now: Date;
}

/** Inserts a queued run, or returns undefined when one is already queued or running. */
export async function insertQueuedRun(db: Db, run: NewRun): Promise<RunRow | undefined> {
  return db
    .insertInto('sync_runs')
    .values({
      company_id: run.companyId,
      trigger: run.trigger,
      mode: run.mode,
      started_by_user_id: run.startedByUserId,
      started_by_name: run.startedByName,
      status: 'queued',
      queued_at: run.now,
    })
    .onConflict((oc) =>
      oc
        .column('company_id')
        .where('status', 'in', ACTIVE_STATUSES)
        .where('trigger', '<>', 'webhook')
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export function findActiveRun(db: Db, companyId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('status', 'in', ACTIVE_STATUSES)
    .where('trigger', '<>', 'webhook')
    .executeTakeFirst();
}

export function findRun(db: Db, companyId: string, runId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .executeTakeFirst();
}

export async function setRunJob(db: Db, companyId: string, runId: string, jobId: string): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ job_id: jobId })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .execute();
}

/** queued → running, once: a second delivery of the same job finds nothing to claim. */
export function claimRun(db: Db, companyId: string, runId: string, now: Date): Promise<RunRow | undefined> {
  return db
    .updateTable('sync_runs')
    .set({ status: 'running', started_at: now, heartbeat_at: now })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
}

/** False when the run is no longer running (finished, or marked failed by recovery). */
export async function heartbeat(db: Db, companyId: string, runId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('sync_runs')
    .set({ heartbeat_at: now })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface RunCounts {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  reactivated: number;
  skipped: number;
  failed: number;
  warnings: number;
  would_deactivate: number;
}

export const zeroCounts = (): RunCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  deactivated: 0,
  reactivated: 0,
  skipped: 0,
  failed: 0,
  warnings: 0,
  would_deactivate: 0,
});

/** Adds a page's counts and progress, in the page's own transaction. */
export async function addRunProgress(
  db: Db,
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

export async function setRunTotal(db: Db, companyId: string, runId: string, total: number): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ total })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .execute();
}

/** Ends a run; only a run still in `fromStatuses` is changed (a cancel cannot be overwritten). */
export function finishRun(
  db: Db,
  companyId: string,
  runId: string,
  end: { status: SyncStatus; reason: string | null; now: Date; fromStatuses?: SyncStatus[] },
): Promise<RunRow | undefined> {
  return db
    .updateTable('sync_runs')
    .set({ status: end.status, status_reason: end.reason, finished_at: end.now, heartbeat_at: null })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .where('status', 'in', end.fromStatuses ?? ['running'])
    .returningAll()
    .executeTakeFirst();
}

/** Newest first, keyset-paged by id (ids grow with queued_at). */
export function listRuns(db: Db, companyId: string, page: { beforeId?: string; limit: number }) {
  let q = db.selectFrom('sync_runs').selectAll().where('company_id', '=', companyId);
  if (page.beforeId) q = q.where('id', '<', page.beforeId);
  return q.orderBy('id', 'desc').limit(page.limit).execute();
}

/** Runs a restart may have orphaned: running without a recent heartbeat, or queued. */
export function listOrphanCandidates(db: Db, staleBefore: Date) {
  return db
    .selectFrom('sync_runs')
    .select(['id', 'company_id', 'status', 'job_id', 'queued_at'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('status', '=', 'running'),
          eb(sql`coalesce(heartbeat_at, started_at, queued_at)`, '<', staleBefore),
        ]),
        eb.and([eb('status', '=', 'queued'), eb('queued_at', '<', staleBefore)]),
      ]),
    )
    .where('trigger', '<>', 'webhook')
    .execute();
}

/** Older runs still waiting for review are superseded by a newer one. */
export async function supersedeReviews(
  db: Db,
  companyId: string,
  keepRunId: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ status: 'canceled', status_reason: `Superseded by run ${keepRunId}`, finished_at: now })
    .where('company_id', '=', companyId)
    .where('status', '=', 'needs_review')
    .where('id', '<>', keepRunId)
    .execute();
}

export async function setReview(
  db: Db,
  companyId: string,
  runId: string,
  review: { byName: string; at: Date },
): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ reviewed_by_name: review.byName, reviewed_at: review.at })
    .where('company_id', '=', companyId)
    .where('id', '=', runId)
    .execute();
}
