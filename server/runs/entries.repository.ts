import { type Insertable, type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, EntryAction, FieldChange } from '../db/database';
import { BATCHED_ACTIONS, type BatchedDraft, type EntryDraft, type TimesheetEntryDraft } from './run-entry';

/**
 * `sync_run_entries`: one row per subject a run looked at; the .txt is rendered from these.
 * `sync_run_entry_batches`: a run's entries that are never edited and tell no field change (people
 * created, unchanged or skipped), a few thousand to a row. Every read of a run's list reads both as one (`runEntries`).
 */

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
    ...(d.id ? { id: d.id } : {}),
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

/** Entry ids for a page, in order, so its entries list in the order the run saw its people. */
export async function allocateEntryIds(db: Kysely<Database>, n: number): Promise<string[]> {
  if (n === 0) return [];
  // One row back, not n: the ids as one comma-separated text.
  const { rows } = await sql<{ ids: string }>`
    select string_agg(nextval('sync_run_entries_id_seq'::regclass)::text, ',' order by n) as ids
    from generate_series(1, ${n}) as n`.execute(db);
  return rows[0]?.ids.split(',') ?? [];
}

/**
 * Stores entries that change nothing (their ids from `allocateEntryIds`, in the order given) as
 * one row; `notable` when any says more than "unchanged".
 */
export async function insertEntryBatch(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  batch: readonly BatchedDraft[],
  notable: boolean,
): Promise<void> {
  if (batch.length === 0) return;
  const entries = batch.map((e) => [
    e.id,
    e.procoreUserId,
    e.workerId,
    e.name,
    e.email,
    e.action,
    e.reasonCode,
    e.reason,
    e.warnings,
  ]);
  // Only a notable row is looked up by person (a worker's history). Procore ids are digits.
  const userIds = notable ? `{${batch.map((e) => e.procoreUserId).join(',')}}` : '{}';
  await db
    .insertInto('sync_run_entry_batches')
    .values({
      run_id: runId,
      company_id: companyId,
      first_entry_id: batch[0]!.id,
      last_entry_id: batch.at(-1)!.id,
      notable,
      procore_user_ids: sql<string[]>`${userIds}::bigint[]`,
      entries: JSON.stringify(entries),
    })
    .execute();
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

/** An entry of a user-sync run's list, from either table. */
export interface EntryRow {
  id: string;
  run_id: string;
  procore_user_id: string;
  worker_id: string | null;
  name: string;
  email: string | null;
  action: EntryAction;
  reason_code: string | null;
  reason: string | null;
  changes: FieldChange[];
  warnings: string[];
  changed_by_user_id: string | null;
  changed_by_name: string | null;
}

/**
 * The list of these user-sync runs as one table `e`: their entries (less those a later one about
 * the same person replaced) and, unless `batched` is false, their batched entries, with the
 * columns in `ENTRY_COLUMNS`' order. `afterId` skips what a page already showed.
 */
function runEntries(
  db: Kysely<Database>,
  companyId: string,
  runIds: readonly string[],
  opts: { afterId?: string; batched: boolean },
) {
  let kept = db
    .selectFrom('sync_run_entries')
    .select([...ENTRY_COLUMNS, 'run_id'])
    .where('company_id', '=', companyId)
    .where('run_id', 'in', [...runIds])
    .where('superseded', '=', false);
  if (opts.afterId) kept = kept.where('id', '>', opts.afterId);
  if (!opts.batched) return sql<EntryRow>`(${kept})`.as('e');
  const batched = sql`
    select (m->>0)::bigint, (m->>1)::bigint, (m->>2)::bigint, m->>3, m->>4, m->>5,
      m->>6, m->>7, '[]'::jsonb, m->8, null::bigint, null::text, b.run_id
    from sync_run_entry_batches b cross join lateral jsonb_array_elements(b.entries) m
    where b.company_id = ${companyId}
      and b.run_id in (${sql.join(runIds)})
      ${opts.afterId ? sql`and b.last_entry_id > ${opts.afterId}` : sql``}`;
  return sql<EntryRow>`(${kept} union all ${batched})`.as('e');
}

const matching = (text: string): RawBuilder<boolean> => {
  const like = containsPattern(text);
  return sql<boolean>`(e.name ilike ${like} or e.email ilike ${like})`;
};

export interface EntryFilter {
  action?: EntryAction;
  /** Case-insensitive search in name and email. */
  q?: string;
  afterId?: string;
  limit: number;
}

export function listEntries(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  filter: EntryFilter,
): Promise<EntryRow[]> {
  const batched = !filter.action || BATCHED_ACTIONS.includes(filter.action);
  let query = db
    .selectFrom(runEntries(db, companyId, [runId], { afterId: filter.afterId, batched }))
    .selectAll();
  if (filter.action) query = query.where('e.action', '=', filter.action);
  if (filter.q) query = query.where(matching(filter.q));
  if (filter.afterId) query = query.where('e.id', '>', filter.afterId);
  return query.orderBy('e.id').limit(filter.limit).execute();
}

/**
 * A run's entries in id order, `size` a page read after the last (keyset pages), so a reader of
 * the whole run (the .txt) holds a page of rows at a time, not the run.
 */
export async function* eachEntryPage(
  db: Kysely<Database>,
  companyId: string,
  runId: string,
  size: number,
): AsyncGenerator<EntryRow[]> {
  let afterId: string | undefined;
  for (;;) {
    const page = await listEntries(db, companyId, runId, { afterId, limit: size });
    if (page.length > 0) yield page;
    if (page.length < size) return;
    afterId = page.at(-1)?.id;
  }
}

/** Every entry of a run at once, in id order. */
export function listAllEntries(db: Kysely<Database>, companyId: string, runId: string): Promise<EntryRow[]> {
  return db
    .selectFrom(runEntries(db, companyId, [runId], { batched: true }))
    .selectAll()
    .orderBy('e.id')
    .execute();
}

/** An entry of a worker's history, from either table. */
type HistoryEntry = Omit<EntryRow, 'worker_id' | 'email' | 'procore_user_id'> & {
  procore_user_id: string | null;
  created_at: Date;
};

/**
 * Every user-sync entry about one worker, newest first, with its run: those recorded with the
 * worker, those about its Procore user (a skip before the worker existed, for one), and their
 * entries in notable batches (creations, skips, warnings: `EntryBatches` keeps plain "unchanged"
 * people in rows of their own, which a history does not read).
 */
export function listWorkerEntries(
  db: Kysely<Database>,
  companyId: string,
  subject: { workerId: string; procoreUserId: string | null },
  opts: { beforeId?: string; actions?: readonly EntryAction[]; limit: number },
) {
  let kept = db
    .selectFrom('sync_run_entries as e')
    .select([
      'e.id',
      'e.run_id',
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
    .where((eb) =>
      subject.procoreUserId
        ? eb.or([
            eb('e.worker_id', '=', subject.workerId),
            eb('e.procore_user_id', '=', subject.procoreUserId),
          ])
        : eb('e.worker_id', '=', subject.workerId),
    );
  if (opts.beforeId) kept = kept.where('e.id', '<', opts.beforeId);
  const userId = subject.procoreUserId;
  const source = userId
    ? sql<HistoryEntry>`(${kept} union all
        select (m->>0)::bigint, b.run_id, b.created_at, (m->>1)::bigint, m->>3, m->>5, m->>6, m->>7,
          '[]'::jsonb, m->8, null::bigint, null::text
        from sync_run_entry_batches b cross join lateral jsonb_array_elements(b.entries) m
        where b.company_id = ${companyId} and b.notable
          and b.procore_user_ids @> array[${userId}::bigint]
          ${opts.beforeId ? sql`and b.first_entry_id < ${opts.beforeId}` : sql``}
          and m->>1 = ${userId})`
    : sql<HistoryEntry>`(${kept})`;
  let query = db
    .selectFrom(source.as('e'))
    .innerJoin('sync_runs as r', (join) => join.onRef('r.id', '=', 'e.run_id'))
    .selectAll('e')
    .select(['r.number as run_number', 'r.trigger as run_trigger', 'r.status as run_status'])
    .where('r.company_id', '=', companyId)
    .where('r.kind', '=', 'users');
  if (opts.beforeId) query = query.where('e.id', '<', opts.beforeId);
  if (opts.actions) query = query.where('e.action', 'in', [...opts.actions]);
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
    .selectFrom(runEntries(db, companyId, [runId], { batched: BATCHED_ACTIONS.includes(action) }))
    .select('e.worker_id')
    .distinct()
    .where('e.action', '=', action)
    .where('e.worker_id', 'is not', null)
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
  const ranked = db
    .selectFrom(runEntries(db, companyId, runIds, { batched: true }))
    .selectAll()
    .select(sql<number>`row_number() over (partition by e.run_id order by e.id)`.as('rank'))
    .where(matching(text))
    .as('ranked');
  return db.selectFrom(ranked).selectAll().where('rank', '<=', perRun).orderBy('id').execute();
}

/**
 * Whether a run's list names someone whose name or email contains `text` (the logs' search);
 * `runId` is a reference to the run's id in the caller's query.
 */
export function mentionsPerson(
  companyId: string,
  runId: RawBuilder<string>,
  text: string,
): RawBuilder<boolean> {
  const like = containsPattern(text);
  return sql<boolean>`(
    exists (select 1 from sync_run_entries e
      where e.run_id = ${runId} and e.company_id = ${companyId} and not e.superseded
        and (e.name ilike ${like} or e.email ilike ${like}))
    or exists (select 1 from sync_run_entry_batches b cross join lateral jsonb_array_elements(b.entries) m
      where b.run_id = ${runId} and b.company_id = ${companyId}
        and (m->>3 ilike ${like} or m->>4 ilike ${like})))`;
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
