import { type Kysely, sql } from 'kysely';
import type { Database, WorkerSource } from '../db/database';

/** The Workers page's query: one company, by name, keyset-paged on (last, first, id). */
export interface WorkerFilter {
  q?: string;
  active?: boolean;
  source?: WorkerSource;
  positionId?: string;
  /** Only these workers (a run's workers with one result). */
  ids?: readonly string[];
  after?: { lastName: string; firstName: string; id: string };
  limit: number;
}

/** Workers (`w`) beside their position (`p`, of the same company), if they have one. */
export function workersWithPosition(db: Kysely<Database>) {
  return db
    .selectFrom('workers as w')
    .leftJoin('positions as p', (join) =>
      join.onRef('p.id', '=', 'w.position_id').onRef('p.company_id', '=', 'w.company_id'),
    );
}

/**
 * The digits of a search that reads as a phone number, as people write one ("(779) 555-0177",
 * "+1 779 555 0177", "779.555.0177"): at least three digits and nothing but phone punctuation.
 */
export function phoneDigits(q: string): string | null {
  if (!/^[\d\s()+.-]+$/.test(q)) return null;
  const digits = q.replace(/\D/g, '');
  return digits.length >= 3 ? digits : null;
}

export function listWorkers(db: Kysely<Database>, companyId: string, filter: WorkerFilter) {
  let query = workersWithPosition(db)
    .select([
      'w.id',
      'w.first_name',
      'w.last_name',
      'w.email',
      'w.phone',
      'w.payroll_id',
      'w.active',
      'w.deactivated_reason',
      'w.source',
      'w.procore_user_id',
      'w.last_synced_at',
      'w.updated_at',
      'p.id as position_id',
      'p.name as position_name',
    ])
    .where('w.company_id', '=', companyId);
  if (filter.active !== undefined) query = query.where('w.active', '=', filter.active);
  if (filter.source) query = query.where('w.source', '=', filter.source);
  if (filter.positionId) query = query.where('w.position_id', '=', filter.positionId);
  if (filter.ids) {
    if (filter.ids.length === 0) return Promise.resolve([]);
    query = query.where('w.id', 'in', [...filter.ids]);
  }
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const digits = phoneDigits(filter.q);
    query = query.where((eb) =>
      eb.or([
        // Phones are stored as E.164, "+" and digits: the number's digits are a part of it.
        ...(digits ? [eb('w.phone', 'like', `%${digits}%`)] : []),
        eb('w.first_name', 'ilike', like),
        eb('w.last_name', 'ilike', like),
        eb('w.email', 'ilike', like),
        eb('w.phone', 'ilike', like),
        eb('w.payroll_id', 'ilike', like),
        eb(sql<string>`w.first_name || ' ' || w.last_name`, 'ilike', like),
      ]),
    );
  }
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb(
        eb.refTuple('w.last_name', 'w.first_name', 'w.id'),
        '>',
        eb.tuple(after.lastName, after.firstName, after.id),
      ),
    );
  }
  return query.orderBy('w.last_name').orderBy('w.first_name').orderBy('w.id').limit(filter.limit).execute();
}

/** The name of the worker linked to this Procore user, if there is one. */
export async function findWorkerNameByProcoreUser(
  db: Kysely<Database>,
  companyId: string,
  procoreUserId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('workers')
    .select(['first_name', 'last_name'])
    .where('company_id', '=', companyId)
    .where('procore_user_id', '=', procoreUserId)
    .executeTakeFirst();
  return row ? `${row.first_name} ${row.last_name}`.trim() : null;
}

/** The company's workforce in numbers, for the Workers page's totals. */
export async function countWorkers(db: Kysely<Database>, companyId: string) {
  const row = await db
    .selectFrom('workers')
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where active))::int`.as('active'),
      sql<number>`(count(*) filter (where active and source = 'procore_user'))::int`.as(
        'active_from_procore',
      ),
      sql<number>`(count(*) filter (where active and source = 'local'))::int`.as('active_local'),
      sql<number>`(count(*) filter (where active and coalesce(payroll_id, '') = ''))::int`.as(
        'active_missing_payroll_id',
      ),
      sql<number>`(count(*) filter (where active and position_id is null))::int`.as(
        'active_missing_position',
      ),
    ])
    .where('company_id', '=', companyId)
    .executeTakeFirstOrThrow();
  return {
    total: Number(row.total),
    active: Number(row.active),
    inactive: Number(row.total) - Number(row.active),
    activeFromProcore: Number(row.active_from_procore),
    activeLocal: Number(row.active_local),
    activeMissingPayrollId: Number(row.active_missing_payroll_id),
    activeMissingPosition: Number(row.active_missing_position),
  };
}
