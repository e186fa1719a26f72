import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, WorkerUpdate } from '../db/database';
import { workersWithPosition } from './workers.repository';

/**
 * Workers an admin keeps by hand (source `local`), positions made in the app, and what a
 * timesheet send keeps on a worker (its Procore person) and a position (its classification).
 */

export const WORKER_COLUMNS = [
  'id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'payroll_id',
  'position_id',
  'active',
  'source',
  'procore_user_id',
  'procore_person_id',
  'deactivated_reason',
  'last_synced_at',
  'updated_at',
] as const;

export function findWorker(db: Kysely<Database>, companyId: string, workerId: string) {
  return db
    .selectFrom('workers')
    .select(WORKER_COLUMNS)
    .where('company_id', '=', companyId)
    .where('id', '=', workerId)
    .executeTakeFirst();
}

export type WorkerRow = NonNullable<Awaited<ReturnType<typeof findWorker>>>;

/**
 * Serialises writes that check "phone unique among active workers" for one company, so two
 * requests cannot both see a number free and both take it.
 */
export async function lockCompanyPhones(trx: Transaction<Database>, companyId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('workers_phone'), hashtext(${companyId}))`.execute(trx);
}

/** Any worker, active or not, with this payroll ID. */
export function findWorkerByPayrollId(db: Kysely<Database>, companyId: string, payrollId: string) {
  return db
    .selectFrom('workers')
    .select(['id'])
    .where('company_id', '=', companyId)
    .where('payroll_id', '=', payrollId)
    .executeTakeFirst();
}

export function findActiveWorkerByPhone(
  db: Kysely<Database>,
  companyId: string,
  phone: string,
  exceptId: string | null,
) {
  let q = db
    .selectFrom('workers')
    .select(['id', 'first_name', 'last_name'])
    .where('company_id', '=', companyId)
    .where('phone', '=', phone)
    .where('active', '=', true);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return q.executeTakeFirst();
}

export interface LocalWorkerValues {
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string;
  payroll_id: string | null;
  position_id: string | null;
}

export function insertLocalWorker(db: Kysely<Database>, companyId: string, values: LocalWorkerValues) {
  return db
    .insertInto('workers')
    .values({ ...values, company_id: companyId, source: 'local' })
    .returning(WORKER_COLUMNS)
    .executeTakeFirstOrThrow();
}

export function updateWorkerRow(
  db: Kysely<Database>,
  companyId: string,
  workerId: string,
  set: WorkerUpdate,
) {
  return db
    .updateTable('workers')
    .set({ ...set, updated_at: new Date() })
    .where('company_id', '=', companyId)
    .where('id', '=', workerId)
    .returning(WORKER_COLUMNS)
    .executeTakeFirst();
}

export function findPosition(db: Kysely<Database>, companyId: string, positionId: string) {
  return db
    .selectFrom('positions')
    .select(['id', 'name', 'procore_classification_id'])
    .where('company_id', '=', companyId)
    .where('id', '=', positionId)
    .executeTakeFirst();
}

export function findPositionByName(db: Kysely<Database>, companyId: string, name: string) {
  return db
    .selectFrom('positions')
    .select(['id', 'name'])
    .where('company_id', '=', companyId)
    .where(sql<string>`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
}

export function insertPosition(db: Kysely<Database>, companyId: string, name: string) {
  return db
    .insertInto('positions')
    .values({ company_id: companyId, name })
    .returning(['id', 'name', 'procore_classification_id'])
    .executeTakeFirstOrThrow();
}

/** A renamed position maps to Procore afresh: its old classification named the old name. */
export function renamePositionRow(db: Kysely<Database>, companyId: string, positionId: string, name: string) {
  return db
    .updateTable('positions')
    .set({ name, procore_classification_id: null, updated_at: new Date() })
    .where('company_id', '=', companyId)
    .where('id', '=', positionId)
    .returning(['id', 'name', 'procore_classification_id'])
    .executeTakeFirst();
}

/** The send found or made the person for a worker (procore-api.md §4, §5.4). */
export async function setWorkerPerson(
  db: Kysely<Database>,
  companyId: string,
  workerId: string,
  personId: string,
): Promise<void> {
  await db
    .updateTable('workers')
    .set({ procore_person_id: personId })
    .where('company_id', '=', companyId)
    .where('id', '=', workerId)
    .execute();
}

/** The send found or made the work classification for a position (procore-api.md §3). */
export async function setPositionClassification(
  db: Kysely<Database>,
  companyId: string,
  positionId: string,
  classificationId: string,
): Promise<void> {
  await db
    .updateTable('positions')
    .set({ procore_classification_id: classificationId, updated_at: new Date() })
    .where('company_id', '=', companyId)
    .where('id', '=', positionId)
    .execute();
}

/** What a timesheet send needs to know about each of its workers. */
export function listWorkersForSend(db: Kysely<Database>, companyId: string, workerIds: readonly string[]) {
  if (workerIds.length === 0) return Promise.resolve([]);
  return workersWithPosition(db)
    .select([
      'w.id',
      'w.first_name',
      'w.last_name',
      'w.payroll_id',
      'w.source',
      'w.active',
      'w.procore_user_id',
      'w.procore_person_id',
      'p.id as position_id',
      'p.name as position_name',
      'p.procore_classification_id',
    ])
    .where('w.company_id', '=', companyId)
    .where('w.id', 'in', workerIds)
    .execute();
}

export type WorkerForSend = Awaited<ReturnType<typeof listWorkersForSend>>[number];
