import { type Kysely, sql } from 'kysely';
import type { Database, WorkerSource } from '../db/database';

/** The Workers page's query: one company, by name, keyset-paged on (last, first, id). */
export interface WorkerFilter {
  q?: string;
  active?: boolean;
  source?: WorkerSource;
  positionId?: string;
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
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
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
