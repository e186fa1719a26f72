import { type Kysely, sql } from 'kysely';
import type { Database, TimesheetApproval, TimesheetStatus } from '../db/database';

/**
 * `timesheets`: one worker's time on one Procore project on one date. A timesheet deleted after
 * it reached Procore stays as a tombstone (`deleted_at`) until a send has logged that its Procore
 * entry is left in place; one that never reached Procore is deleted outright.
 */

const COLUMNS = [
  'id',
  'worker_id',
  'procore_project_id',
  'date',
  'hours',
  'time_in',
  'time_out',
  'break_minutes',
  'cost_code_id',
  'description',
  'approval',
  'status',
  'procore_timecard_entry_id',
  'sent_fingerprint',
  'last_error',
  'sent_at',
  'deleted_at',
  'updated_at',
] as const;

export function findTimesheet(db: Kysely<Database>, companyId: string, id: string) {
  return db
    .selectFrom('timesheets')
    .select(COLUMNS)
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export type TimesheetRow = NonNullable<Awaited<ReturnType<typeof findTimesheet>>>;

export interface TimesheetValues {
  worker_id: string;
  procore_project_id: string;
  date: string;
  hours: string;
  time_in: string | null;
  time_out: string | null;
  break_minutes: number | null;
  cost_code_id: string | null;
  description: string | null;
  approval: TimesheetApproval;
}

export function insertTimesheet(db: Kysely<Database>, companyId: string, values: TimesheetValues) {
  return db
    .insertInto('timesheets')
    .values({ ...values, company_id: companyId, status: 'unsent' })
    .onConflict((oc) =>
      oc
        .columns(['company_id', 'worker_id', 'procore_project_id', 'date'])
        .where('deleted_at', 'is', null)
        .doNothing(),
    )
    .returning(COLUMNS)
    .executeTakeFirst();
}

/** An edit: a sent timesheet becomes `changed` (its entry is updated on the next send). */
export function updateTimesheetRow(
  db: Kysely<Database>,
  companyId: string,
  id: string,
  values: Partial<TimesheetValues>,
) {
  return db
    .updateTable('timesheets')
    .set({
      ...values,
      updated_at: new Date(),
      status: sql<TimesheetStatus>`case when status = 'sending' then 'sending'
        when procore_timecard_entry_id is not null then 'changed' else 'unsent' end`,
      last_error: null,
    })
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/**
 * Deletes a timesheet the app owns alone; one that reached Procore (or may have) is kept as a
 * tombstone so the next send can say its Procore entry is left in place.
 */
export async function deleteTimesheetRow(
  db: Kysely<Database>,
  companyId: string,
  id: string,
): Promise<boolean> {
  const now = new Date();
  const tomb = await db
    .updateTable('timesheets')
    .set({ deleted_at: now, updated_at: now })
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('procore_timecard_entry_id', 'is not', null), eb('status', '=', 'sending')]))
    .executeTakeFirst();
  if (Number(tomb.numUpdatedRows) > 0) return true;
  const gone = await db
    .deleteFrom('timesheets')
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(gone.numDeletedRows) > 0;
}

export function listTimesheetsForWeek(
  db: Kysely<Database>,
  companyId: string,
  projectId: string,
  from: string,
  to: string,
) {
  return db
    .selectFrom('timesheets')
    .select(COLUMNS)
    .where('company_id', '=', companyId)
    .where('procore_project_id', '=', projectId)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .where('deleted_at', 'is', null)
    .orderBy('date')
    .orderBy('id')
    .execute();
}

/**
 * What a send looks at: a manual send everything in its project and dates; the hourly send every
 * timesheet not yet sent as it is now. Tombstones not yet logged come along in both.
 */
export function listTimesheetsToSend(
  db: Kysely<Database>,
  companyId: string,
  scope: { projectId: string; from: string; to: string } | null,
) {
  let q = db
    .selectFrom('timesheets')
    .select(COLUMNS)
    .where('company_id', '=', companyId)
    .where((eb) =>
      eb.or([
        eb('deleted_at', 'is', null),
        eb.and([eb('deletion_logged_at', 'is', null), eb('procore_timecard_entry_id', 'is not', null)]),
      ]),
    );
  if (scope) {
    q = q
      .where('procore_project_id', '=', scope.projectId)
      .where('date', '>=', scope.from)
      .where('date', '<=', scope.to);
  } else {
    q = q.where((eb) => eb.or([eb('status', '<>', 'sent'), eb('deleted_at', 'is not', null)]));
  }
  return q.orderBy('procore_project_id').orderBy('date').orderBy('id').execute();
}

/** Before a create goes out: if the answer is lost, the next send looks for it by origin_id. */
export async function markSending(
  db: Kysely<Database>,
  companyId: string,
  attempts: ReadonlyArray<{ id: string; fingerprint: string }>,
): Promise<void> {
  for (const a of attempts) {
    await db
      .updateTable('timesheets')
      .set({ status: 'sending', sent_fingerprint: a.fingerprint })
      .where('company_id', '=', companyId)
      .where('id', '=', a.id)
      .execute();
  }
}

export interface SendOutcome {
  id: string;
  /** The timesheet's `updated_at` when the send read it: a later edit keeps it `changed`. */
  readAt: Date;
  status: Extract<TimesheetStatus, 'sent' | 'sending' | 'skipped' | 'failed'>;
  entryId?: string | null;
  fingerprint?: string | null;
  error?: string | null;
  at: Date;
}

export async function recordOutcomes(
  db: Kysely<Database>,
  companyId: string,
  outcomes: readonly SendOutcome[],
): Promise<void> {
  for (const o of outcomes) {
    await db
      .updateTable('timesheets')
      .set({
        status:
          o.status === 'sent'
            ? sql<TimesheetStatus>`case when updated_at > ${o.readAt} then 'changed' else 'sent' end`
            : o.status,
        last_error: o.error ?? null,
        ...(o.entryId !== undefined ? { procore_timecard_entry_id: o.entryId } : {}),
        ...(o.fingerprint !== undefined ? { sent_fingerprint: o.fingerprint } : {}),
        ...(o.status === 'sent' ? { sent_at: o.at } : {}),
      })
      .where('company_id', '=', companyId)
      .where('id', '=', o.id)
      .execute();
  }
}

export async function markDeletionsLogged(
  db: Kysely<Database>,
  companyId: string,
  ids: readonly string[],
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('timesheets')
    .set({ deletion_logged_at: at })
    .where('company_id', '=', companyId)
    .where('id', 'in', ids)
    .execute();
}

/** The hourly send's claim: true for exactly one caller per company per hour. */
export async function claimAutoSend(
  db: Kysely<Database>,
  companyId: string,
  hourStart: Date,
  now: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('timesheet_send_state')
    .values({ company_id: companyId, last_auto_at: now })
    .onConflict((oc) =>
      oc
        .column('company_id')
        .doUpdateSet({ last_auto_at: now })
        .where((eb) =>
          eb.or([
            eb('timesheet_send_state.last_auto_at', 'is', null),
            eb('timesheet_send_state.last_auto_at', '<', hourStart),
          ]),
        ),
    )
    .returning('company_id')
    .executeTakeFirst();
  return row !== undefined;
}
