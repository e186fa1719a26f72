import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { conflict, invalidInput, notFound } from '../errors';
import { findWorker } from '../workers/workers.service';
import * as repo from './timesheets.repository';
import type { Timesheet, TimesheetInput, TimesheetPatch } from './timesheets.schemas';

/**
 * Timesheets kept in the app (design.md flow 6): one worker's time on one Procore project on one
 * date, as total hours or time in/out with a break. Sending them is send.ts.
 */

const hhmm = (t: string | null) => (t ? t.slice(0, 5) : null);
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

export function timesheetToApi(row: repo.TimesheetRow): Timesheet {
  return {
    id: row.id,
    workerId: row.worker_id,
    projectId: row.procore_project_id,
    date: row.date,
    hours: Number(row.hours ?? 0).toFixed(2),
    timeIn: hhmm(row.time_in),
    timeOut: hhmm(row.time_out),
    breakMinutes: row.break_minutes,
    costCodeId: row.cost_code_id,
    notes: row.description,
    approval: row.approval,
    sendState: row.status,
    lastError: row.last_error,
    procoreEntryId: row.procore_timecard_entry_id,
    sentAt: row.sent_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
  };
}

type TimeFields = Pick<TimesheetPatch, 'hours' | 'timeIn' | 'timeOut' | 'breakMinutes'>;

/** Total hours, or in/out less the break; the hours are always kept so the grid can add them up. */
function timeValues(t: TimeFields) {
  if (t.timeIn || t.timeOut) {
    if (!t.timeIn || !t.timeOut) throw invalidInput('Give both time in and time out, or total hours.');
    const worked = minutesOf(t.timeOut) - minutesOf(t.timeIn) - (t.breakMinutes ?? 0);
    if (minutesOf(t.timeOut) <= minutesOf(t.timeIn)) throw invalidInput('Time out must be after time in.');
    if (worked <= 0) throw invalidInput('The break is as long as the shift.');
    return {
      hours: (worked / 60).toFixed(2),
      time_in: t.timeIn,
      time_out: t.timeOut,
      break_minutes: t.breakMinutes ?? 0,
    };
  }
  if (t.hours === undefined || t.hours === null) throw invalidInput('Give total hours, or time in and out.');
  return { hours: t.hours.toFixed(2), time_in: null, time_out: null, break_minutes: null };
}

export async function createTimesheet(
  db: Kysely<Database>,
  companyId: string,
  input: TimesheetInput,
): Promise<Timesheet> {
  const worker = await findWorker(db, companyId, input.workerId);
  if (!worker) throw invalidInput('That worker does not exist in this company.');
  const row = await repo.insertTimesheet(db, companyId, {
    worker_id: input.workerId,
    procore_project_id: input.projectId,
    date: input.date,
    ...timeValues(input),
    cost_code_id: input.costCodeId ?? null,
    description: input.notes || null,
    approval: input.approval ?? 'pending',
  });
  if (!row) {
    throw conflict(
      `${worker.first_name} ${worker.last_name} already has a timesheet on this project for ${input.date}: edit that one.`,
    );
  }
  return timesheetToApi(row);
}

export async function updateTimesheet(
  db: Kysely<Database>,
  companyId: string,
  id: string,
  patch: TimesheetPatch,
): Promise<Timesheet> {
  const current = await repo.findTimesheet(db, companyId, id);
  if (!current) throw notFound('Timesheet');
  const touchesTime = ['hours', 'timeIn', 'timeOut', 'breakMinutes'].some(
    (k) => patch[k as keyof TimesheetPatch] !== undefined,
  );
  const values: Partial<repo.TimesheetValues> = {};
  if (touchesTime) {
    const switchingToHours = patch.hours !== undefined && patch.hours !== null && !patch.timeIn;
    Object.assign(
      values,
      timeValues(
        switchingToHours
          ? { hours: patch.hours }
          : {
              hours: patch.hours,
              timeIn: patch.timeIn === undefined ? hhmm(current.time_in) : patch.timeIn,
              timeOut: patch.timeOut === undefined ? hhmm(current.time_out) : patch.timeOut,
              breakMinutes: patch.breakMinutes === undefined ? current.break_minutes : patch.breakMinutes,
            },
      ),
    );
  }
  if (patch.costCodeId !== undefined) values.cost_code_id = patch.costCodeId;
  if (patch.notes !== undefined) values.description = patch.notes || null;
  if (patch.approval !== undefined) values.approval = patch.approval;
  const row = await repo.updateTimesheetRow(db, companyId, id, values);
  if (!row) throw notFound('Timesheet');
  return timesheetToApi(row);
}

export async function deleteTimesheet(db: Kysely<Database>, companyId: string, id: string): Promise<void> {
  if (!(await repo.deleteTimesheetRow(db, companyId, id))) throw notFound('Timesheet');
}

export async function listWeek(
  db: Kysely<Database>,
  companyId: string,
  q: { projectId: string; from: string; to: string },
): Promise<Timesheet[]> {
  if (q.to < q.from) throw invalidInput('The range ends before it starts.');
  const rows = await repo.listTimesheetsForWeek(db, companyId, q.projectId, q.from, q.to);
  return rows.map(timesheetToApi);
}
