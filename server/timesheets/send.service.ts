import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { AppError, invalidInput } from '../errors';
import { hourStart, type RequestedRun, requestRun } from '../runs/runs.service';
import { listTimesheetAutoDue } from '../settings/settings.service';
import type { TimesheetSendDeps } from './send-run';
import { claimAutoSend } from './timesheets.repository';
import { timesheetsSendJob } from './timesheets-send.job';

export interface ManualSend {
  companyId: string;
  projectId: string;
  projectName: string | null;
  from: string;
  to: string;
  startedByUserId: string;
  startedByName: string;
}

/** The longest range one Sync Timesheets covers: a pay period or two, not a year by accident. */
const MAX_RANGE_DAYS = 62;

/**
 * 'Sync Timesheets' on the grid: one project, a date range. One queued or running send per
 * company: asking again (or the hourly send firing) returns the one in flight.
 */
export function requestManualSend(
  deps: Pick<TimesheetSendDeps, 'db' | 'jobs'>,
  s: ManualSend,
): Promise<RequestedRun> {
  const days = (Date.parse(s.to) - Date.parse(s.from)) / 86_400_000;
  if (!(days >= 0)) throw invalidInput('The range ends before it starts.');
  if (days > MAX_RANGE_DAYS) throw invalidInput(`Send at most ${MAX_RANGE_DAYS} days at a time.`);
  return request(deps.db, deps, {
    companyId: s.companyId,
    kind: 'timesheets',
    trigger: 'manual',
    mode: 'full',
    startedByUserId: s.startedByUserId,
    startedByName: s.startedByName,
    now: new Date(),
    scope: { projectId: s.projectId, projectName: s.projectName, from: s.from, to: s.to },
  });
}

function request(
  db: Kysely<Database>,
  deps: Pick<TimesheetSendDeps, 'jobs'>,
  run: Parameters<typeof requestRun>[1],
): Promise<RequestedRun> {
  return requestRun(db, run, (r) =>
    deps.jobs.send(timesheetsSendJob, { companyId: r.company_id, runId: r.id }),
  );
}

/**
 * Auto Sync Time Cards: each company once an hour at its own minute (the same spread as the user
 * sync's Autosync); the claim is exact across processes. An hourly send covers every timesheet
 * not yet sent as it stands.
 */
export async function autoSendTick(
  deps: Pick<TimesheetSendDeps, 'db' | 'jobs' | 'now' | 'log' | 'companies'>,
): Promise<RequestedRun[]> {
  const now = deps.now();
  const candidates = await listTimesheetAutoDue(deps.db, now.getUTCMinutes());
  const connected = await deps.companies.listConnectedIds(candidates);
  const out: RequestedRun[] = [];
  for (const companyId of connected) {
    if (!(await claimAutoSend(deps.db, companyId, hourStart(now), now))) continue;
    try {
      out.push(
        await request(deps.db, deps, {
          companyId,
          kind: 'timesheets',
          trigger: 'auto',
          mode: 'incremental',
          startedByUserId: null,
          startedByName: null,
          now,
        }),
      );
    } catch (err) {
      deps.log.error({ err, companyId }, 'the hourly timesheet send could not be queued');
    }
  }
  return out;
}

export function assertConnected(company: { connection_state: string } | undefined): void {
  if (company?.connection_state !== 'connected') {
    throw new AppError('not_connected', 'Connect the app to Procore before sending timesheets.');
  }
}
