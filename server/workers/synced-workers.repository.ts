import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/database';
import { anyOf } from '../db/sql-lists';
import type { WorkerFields, WorkerState } from './worker';

/**
 * The sync's writes to `workers` (style.md rules 10–11): `companyId` always reaches the WHERE,
 * writes take the caller's transaction, and every write is keyed by (company_id, procore_user_id)
 * or by id, so re-running a page is harmless.
 */

/**
 * The workers a page of users could match: linked to one of them, or sharing an email or phone.
 *
 * The rows come back as one JSON array (`json_agg`) parsed by `JSON.parse`: the embedded database
 * turns each field of a result into a JavaScript value one at a time, which for a page's 1,000
 * workers cost ~30 ms against the 2 ms the lookup itself takes. Ids stay text (64-bit).
 */
export async function findWorkersForUsers(
  db: Kysely<Database>,
  companyId: string,
  keys: { procoreUserIds: string[]; emails: string[]; phones: string[] },
): Promise<WorkerState[]> {
  if (keys.procoreUserIds.length + keys.emails.length + keys.phones.length === 0) return [];
  const found = await db
    .selectFrom('workers')
    .select(
      sql<string>`coalesce(json_agg(json_build_array(id::text, first_name, last_name, email, phone,
        payroll_id, position_id::text, active, procore_user_id::text, procore_updated_at) order by id),
        '[]')::text`.as('rows'),
    )
    .where('company_id', '=', companyId)
    .where((eb) => {
      const ors = [];
      if (keys.procoreUserIds.length > 0)
        ors.push(eb('procore_user_id', '=', anyOf(keys.procoreUserIds, 'bigint')));
      if (keys.emails.length > 0) ors.push(eb(eb.fn('lower', ['email']), '=', anyOf(keys.emails, 'text')));
      if (keys.phones.length > 0) ors.push(eb('phone', '=', anyOf(keys.phones, 'text')));
      return eb.or(ors);
    })
    .executeTakeFirstOrThrow();
  const rows = JSON.parse(found.rows) as Array<
    [
      string,
      string,
      string,
      string | null,
      string | null,
      string | null,
      string | null,
      boolean,
      string | null,
      string | null,
    ]
  >;
  return rows.map(
    ([id, firstName, lastName, email, phone, payrollId, positionId, active, procoreUserId, at]) => ({
      id,
      firstName,
      lastName,
      email,
      phone,
      payrollId,
      positionId,
      active,
      procoreUserId,
      procoreUpdatedAt: at === null ? null : new Date(at),
    }),
  );
}

export interface SyncedWorkerRow {
  procoreUserId: string;
  fields: WorkerFields;
}

/**
 * Creates or updates workers linked to Procore users in one statement. Every row is an eligible
 * user, so the worker is (re)activated. With Sync Classifications off the position is left as the
 * admin set it (seed.md, "Classifications").
 *
 * The page travels as one JSON parameter (`jsonb_to_recordset`) rather than fourteen parameters a
 * row: the embedded database encodes every parameter in JavaScript and PostgreSQL plans a
 * 14,000-parameter VALUES list, so a page of 1,000 new workers took ~40% longer that way.
 * Every text here has passed `storable-text.ts`, so no value is one jsonb refuses.
 */
export async function upsertSyncedWorkers(
  trx: Transaction<Database>,
  companyId: string,
  rows: SyncedWorkerRow[],
  opts: { syncClassifications: boolean; now: Date },
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // At most `UPSERT_SLICE` rows a statement: the embedded database runs a statement without letting
  // the event loop in, and 1,000 new workers (six indexes each) held it for ~110 ms.
  for (let start = 0; start < rows.length; start += UPSERT_SLICE) {
    const slice = await upsertSlice(trx, companyId, rows.slice(start, start + UPSERT_SLICE), opts);
    for (const [userId, workerId] of slice) ids.set(userId, workerId);
  }
  return ids;
}

const UPSERT_SLICE = 250;

async function upsertSlice(
  trx: Transaction<Database>,
  companyId: string,
  rows: SyncedWorkerRow[],
  opts: { syncClassifications: boolean; now: Date },
): Promise<Map<string, string>> {
  const page = JSON.stringify(
    rows.map((r) => ({
      procore_user_id: r.procoreUserId,
      first_name: r.fields.firstName,
      last_name: r.fields.lastName,
      email: r.fields.email,
      phone: r.fields.phone,
      payroll_id: r.fields.payrollId,
      position_id: opts.syncClassifications ? r.fields.positionId : null,
      procore_updated_at: r.fields.procoreUpdatedAt,
    })),
  );
  const keepPosition = opts.syncClassifications ? sql`excluded.position_id` : sql`workers.position_id`;
  const { rows: written } = await sql<{ id: string; procore_user_id: string }>`
    insert into workers (company_id, first_name, last_name, email, phone, payroll_id, position_id,
      active, source, procore_user_id, procore_updated_at, deactivated_reason, last_synced_at, updated_at)
    select ${companyId}, p.first_name, p.last_name, p.email, p.phone, p.payroll_id, p.position_id,
      true, 'procore_user', p.procore_user_id, p.procore_updated_at, null, ${opts.now}, ${opts.now}
    from jsonb_to_recordset(${page}::jsonb) as p(procore_user_id bigint, first_name text, last_name text,
      email text, phone text, payroll_id text, position_id bigint, procore_updated_at timestamptz)
    on conflict (company_id, procore_user_id) do update set
      first_name = excluded.first_name,
      last_name = excluded.last_name,
      email = excluded.email,
      phone = excluded.phone,
      payroll_id = excluded.payroll_id,
      position_id = ${keepPosition},
      active = true,
      deactivated_reason = null,
      procore_updated_at = excluded.procore_updated_at,
      last_synced_at = excluded.last_synced_at,
      updated_at = excluded.updated_at
    returning id, procore_user_id`.execute(trx);
  return new Map(written.map((r) => [r.procore_user_id, r.id]));
}

/** Links a pre-existing local worker to its Procore user (first sight, one email/phone match). */
export async function linkWorker(
  trx: Transaction<Database>,
  companyId: string,
  workerId: string,
  row: SyncedWorkerRow,
  opts: { syncClassifications: boolean; now: Date },
): Promise<void> {
  await trx
    .updateTable('workers')
    .set({
      first_name: row.fields.firstName,
      last_name: row.fields.lastName,
      email: row.fields.email,
      phone: row.fields.phone,
      payroll_id: row.fields.payrollId,
      ...(opts.syncClassifications ? { position_id: row.fields.positionId } : {}),
      active: true,
      deactivated_reason: null,
      source: 'procore_user',
      procore_user_id: row.procoreUserId,
      procore_updated_at: row.fields.procoreUpdatedAt,
      last_synced_at: opts.now,
      updated_at: opts.now,
    })
    .where('company_id', '=', companyId)
    .where('id', '=', workerId)
    .execute();
}

/**
 * Deactivates, never deletes (design.md "Matching and rules"). With `unchangedSince` (a confirmed
 * review), a worker changed after that moment is left alone.
 */
export async function deactivateWorkers(
  trx: Transaction<Database>,
  companyId: string,
  workerIds: string[],
  reason: string,
  now: Date,
  opts: { unchangedSince?: Date } = {},
): Promise<string[]> {
  if (workerIds.length === 0) return [];
  let query = trx
    .updateTable('workers')
    .set({ active: false, deactivated_reason: reason, last_synced_at: now, updated_at: now })
    .where('company_id', '=', companyId)
    .where('id', 'in', workerIds)
    .where('active', '=', true);
  if (opts.unchangedSince) query = query.where('updated_at', '<=', opts.unchangedSince);
  const rows = await query.returning('id').execute();
  return rows.map((r) => r.id);
}

/**
 * Undoes deactivations (the safeguard holds them for review after all): each worker is made active
 * again only if it is still as that deactivation left it (inactive, not changed since `at`).
 * Answers the workers it reactivated.
 */
export async function undoDeactivations(
  trx: Transaction<Database>,
  companyId: string,
  undo: ReadonlyArray<{ workerId: string; at: Date }>,
  now: Date,
) {
  const done: Array<{ id: string; first_name: string; last_name: string; email: string | null }> = [];
  for (const u of undo) {
    const row = await trx
      .updateTable('workers')
      .set({ active: true, deactivated_reason: null, updated_at: now })
      .where('company_id', '=', companyId)
      .where('id', '=', u.workerId)
      .where('active', '=', false)
      .where('updated_at', '<=', u.at)
      .returning(['id', 'first_name', 'last_name', 'email'])
      .executeTakeFirst();
    if (row) done.push(row);
  }
  return done;
}

/** The safeguard's denominator: active workers that come from Procore users. */
export async function countSyncedActiveWorkers(db: Kysely<Database>, companyId: string): Promise<number> {
  const row = await db
    .selectFrom('workers')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('company_id', '=', companyId)
    .where('source', '=', 'procore_user')
    .where('active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Active linked workers whose Procore user is not among `seen`, for the full reconcile's "no longer
 * in the directory" check. The ids the run saw go in as one array and the database answers only
 * the workers missing from it (usually none), instead of every worker of the company.
 */
export function listUnseenLinkedWorkers(db: Kysely<Database>, companyId: string, seen: Iterable<string>) {
  return db
    .selectFrom('workers as w')
    .select(['w.id', 'w.procore_user_id', 'w.first_name', 'w.last_name', 'w.email'])
    .where('w.company_id', '=', companyId)
    .where('w.source', '=', 'procore_user')
    .where('w.active', '=', true)
    .where('w.procore_user_id', 'is not', null)
    .where(
      sql<boolean>`not exists (select 1 from unnest(${[...seen]}::bigint[]) as seen (id)
        where seen.id = w.procore_user_id)`,
    )
    .orderBy('w.id')
    .execute();
}

/**
 * Refreshes the query planner's statistics of `workers`. The embedded database has no autovacuum
 * to do it: never analyzed, a page's lookup by Procore user, email or phone read every worker of
 * the company (36 ms a page at 50,000 workers, against 4–18 ms through the indexes). The sync
 * calls it as it adds workers (see full-sync.ts); PostgreSQL's autovacuum would get there later.
 */
export async function refreshWorkerStatistics(db: Kysely<Database>): Promise<void> {
  await sql`analyze workers`.execute(db);
}
