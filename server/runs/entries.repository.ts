import { type Insertable, type Kysely, sql } from 'kysely';
import type { Database, EntryAction, FieldChange } from '../db/database';
import type { EntryDraft, TimesheetEntryDraft } from './run-entry';

/** `sync_run_entries`: one row per subject a run looked at; the .txt is rendered from these. */

// At most 17 parameters a row; PostgreSQL allows 65,535 per statement.
const INSERT_CHUNK = 2000;

async function insertInChunks<Draft>(
  db: Kysely<Database>,
  drafts: readonly Draft[],
  toRow: (draft: Draft) => Insertable<Database['sync_run_entries']>,
): Promise<void> {
  for (let i = 0; i < drafts.length; i += INSERT_CHUNK) {
    await db
      .insertInto('sync_run_entries')
      .values(drafts.slice(i, i + INSERT_CHUNK).map(toRow))
      .execute();
  }
}

export async function insertEntries(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  drafts: EntryDraft[],
): Promise<void> {
  await insertInChunks(db, drafts, (d) => ({
    run_id: runId,
    company_id: companyId,
    procore_user_id: d.procoreUserId,
    worker_id: d.workerId,
    name: d.name,
    email: d.email,
    action: d.action,
    reason_code: d.reasonCode,
    reason: d.reason,
    changes: JSON.stringify(d.changes),
    warnings: JSON.stringify(d.warnings),
    changed_by_user_id: d.changedBy?.procoreUserId ?? null,
    changed_by_name: d.changedBy?.name ?? null,
    superseded: d.superseded ?? false,
    own_action: d.own?.action ?? null,
    own_changes: d.own ? JSON.stringify(d.own.changes) : null,
  }));
}

/** `%text%` for ilike, with the pattern's own characters taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const ENTRY_COLUMNS = [
  'id',
  'procore_user_id',
  'worker_id',
  'name',
  'email',
  'action',
  'reason_code',
  'reason',
  'changes',
  'warnings',
  'changed_by_user_id',
  'changed_by_name',
] as const;

export interface EntryFilter {
  action?: EntryAction;
  /** Case-insensitive search in name and email. */
  q?: string;
  afterId?: string;
  limit: number;
}

export function listEntries(db: Kysely<Database>, companyId: string, runId: string, filter: EntryFilter) {
  let query = db
    .selectFrom('sync_run_entries')
    .select(ENTRY_COLUMNS)
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('superseded', '=', false);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.q) {
    const like = containsPattern(filter.q);
    query = query.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]));
  }
  if (filter.afterId) query = query.where('id', '>', filter.afterId);
  // A user-sync entry always names its Procore user (only timesheet entries leave it null).
  return query.$narrowType<{ procore_user_id: string }>().orderBy('id').limit(filter.limit).execute();
}

/** Every entry of a run (the .txt); sorted by the renderer. */
export function listAllEntries(db: Kysely<Database>, companyId: string, runId: string) {
  return db
    .selectFrom('sync_run_entries')
    .select(ENTRY_COLUMNS)
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('superseded', '=', false)
    .$narrowType<{ procore_user_id: string }>()
    .orderBy('id')
    .execute();
}

export type EntryRow = Awaited<ReturnType<typeof listAllEntries>>[number];

/**
 * Every user-sync entry about one worker, newest first, with its run: those recorded with the
 * worker, and those about its Procore user (a skip before the worker existed, for one).
 */
export function listWorkerEntries(
  db: Kysely<Database>,
  companyId: string,
  subject: { workerId: string; procoreUserId: string | null },
  opts: { beforeId?: string; actions?: readonly EntryAction[]; limit: number },
) {
  let query = db
    .selectFrom('sync_run_entries as e')
    .innerJoin('sync_runs as r', (join) =>
      join.onRef('r.id', '=', 'e.run_id').onRef('r.company_id', '=', 'e.company_id'),
    )
    .select([
      'e.id',
      'e.run_id',
      'r.number as run_number',
      'r.trigger as run_trigger',
      'r.status as run_status',
      'e.created_at',
      'e.procore_user_id',
      'e.name',
      sql<EntryAction>`coalesce(e.own_action, e.action)`.as('action'),
      'e.reason_code',
      'e.reason',
      sql<FieldChange[]>`coalesce(e.own_changes, e.changes)`.as('changes'),
      'e.warnings',
      'e.changed_by_user_id',
      'e.changed_by_name',
    ])
    .where('e.company_id', '=', companyId)
    .where('r.kind', '=', 'users')
    .where((eb) =>
      subject.procoreUserId
        ? eb.or([
            eb('e.worker_id', '=', subject.workerId),
            eb('e.procore_user_id', '=', subject.procoreUserId),
          ])
        : eb('e.worker_id', '=', subject.workerId),
    );
  if (opts.beforeId) query = query.where('e.id', '<', opts.beforeId);
  if (opts.actions) {
    query = query.where(sql<EntryAction>`coalesce(e.own_action, e.action)`, 'in', [...opts.actions]);
  }
  return query.orderBy('e.id', 'desc').limit(opts.limit).execute();
}

export type WorkerEntryRow = Awaited<ReturnType<typeof listWorkerEntries>>[number];

/** The workers a run recorded with one result (the Workers page's "from this run" filter). */
export async function listRunWorkerIds(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  action: EntryAction,
): Promise<string[]> {
  const rows = await db
    .selectFrom('sync_run_entries')
    .select('worker_id')
    .distinct()
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('superseded', '=', false)
    .where('action', '=', action)
    .where('worker_id', 'is not', null)
    .$narrowType<{ worker_id: string }>()
    .execute();
  return rows.map((r) => r.worker_id);
}

/**
 * The entries of these runs whose person's name or email contains `text`, at most `perRun` a
 * run (a search across runs: who each run touched, and with what result).
 */
export async function findPersonEntries(
  db: Kysely<Database>,
  companyId: string,
  runIds: readonly string[],
  text: string,
  perRun: number,
) {
  if (runIds.length === 0) return [];
  const like = containsPattern(text);
  const ranked = db
    .selectFrom('sync_run_entries')
    .select([
      ...ENTRY_COLUMNS,
      'run_id',
      sql<number>`row_number() over (partition by run_id order by id)`.as('rank'),
    ])
    .where('company_id', '=', companyId)
    .where('run_id', 'in', [...runIds])
    .where('superseded', '=', false)
    .where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]))
    .as('ranked');
  return db
    .selectFrom(ranked)
    .selectAll()
    .where('rank', '<=', perRun)
    .$narrowType<{ procore_user_id: string }>()
    .orderBy('id')
    .execute();
}

/** These people's entries in a run (a webhook run that meets a person again). */
export function findEntriesOf(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  procoreUserIds: readonly string[],
) {
  return db
    .selectFrom('sync_run_entries')
    .select(ENTRY_COLUMNS)
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('superseded', '=', false)
    .where('procore_user_id', 'in', [...procoreUserIds])
    .$narrowType<{ procore_user_id: string }>()
    .orderBy('id')
    .execute();
}

/** Takes these entries off their run's list; a worker's history keeps them. */
export async function supersedeEntries(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  entryIds: readonly string[],
): Promise<void> {
  if (entryIds.length === 0) return;
  await db
    .updateTable('sync_run_entries')
    .set({ superseded: true })
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('id', 'in', [...entryIds])
    .execute();
}

export async function setEntriesAction(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  entryIds: string[],
  action: EntryAction,
  reason?: string,
): Promise<void> {
  if (entryIds.length === 0) return;
  await db
    .updateTable('sync_run_entries')
    .set({ action, ...(reason !== undefined ? { reason } : {}) })
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('id', 'in', entryIds)
    .execute();
}

/**
 * Takes these Procore users off a review's would-be deactivations (`action` becomes `unchanged`
 * with `reason`); answers how many entries changed.
 */
export async function releaseWouldDeactivate(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  procoreUserIds: readonly string[],
  reason: { code: string; text: string },
): Promise<number> {
  if (procoreUserIds.length === 0) return 0;
  const result = await db
    .updateTable('sync_run_entries')
    .set({ action: 'unchanged', reason_code: reason.code, reason: reason.text })
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('action', '=', 'would_deactivate')
    .where('procore_user_id', 'in', [...procoreUserIds])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A held run's would-be deactivations (the safeguard's review). */
export function listWouldDeactivate(db: Kysely<Database>, companyId: string, runId: string) {
  return db
    .selectFrom('sync_run_entries')
    .select(['id', 'worker_id', 'reason'])
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('action', '=', 'would_deactivate')
    .execute();
}

export async function insertTimesheetEntries(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  drafts: TimesheetEntryDraft[],
): Promise<void> {
  await insertInChunks(db, drafts, (d) => ({
    run_id: runId,
    company_id: companyId,
    procore_user_id: null,
    worker_id: d.workerId,
    name: d.name,
    email: null,
    action: d.action,
    reason_code: d.reasonCode,
    reason: d.reason,
    changes: JSON.stringify(d.changes),
    timesheet_id: d.timesheetId,
    procore_project_id: d.projectId,
    project_name: d.projectName,
    work_date: d.date,
    hours: d.hours,
    procore_entry_id: d.procoreEntryId,
  }));
}

const TIMESHEET_ENTRY_COLUMNS = [
  'id',
  'timesheet_id',
  'worker_id',
  'name',
  'procore_project_id',
  'project_name',
  'work_date',
  'hours',
  'procore_entry_id',
  'action',
  'reason_code',
  'reason',
  'changes',
] as const;

/** A timesheet run's entries, filtered like the user sync's (search in worker and project names). */
export function listTimesheetEntries(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  filter: EntryFilter | { limit: number },
) {
  let query = db
    .selectFrom('sync_run_entries')
    .select(TIMESHEET_ENTRY_COLUMNS)
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId);
  if ('action' in filter && filter.action) query = query.where('action', '=', filter.action);
  if ('q' in filter && filter.q) {
    const like = containsPattern(filter.q);
    query = query.where((eb) => eb.or([eb('name', 'ilike', like), eb('project_name', 'ilike', like)]));
  }
  if ('afterId' in filter && filter.afterId) query = query.where('id', '>', filter.afterId);
  return query.orderBy('id').limit(filter.limit).execute();
}

export type TimesheetEntryRow = Awaited<ReturnType<typeof listTimesheetEntries>>[number];
