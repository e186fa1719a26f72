import { insertQueuedRun } from '../../server/runs/runs.repository';
import { listTimesheetEntries } from '../../server/runs/runs.service';
import type { Services } from '../../server/services';
import { executeTimesheetRun } from '../../server/timesheets/send-run';

/**
 * Sends timesheets to the sandbox as the app does, without the queue: a manual send of one
 * project's days `from`–`to` (Dana Whitfield pressed Sync Timesheet), or with no scope the hourly
 * send of every project. Returns the finished run and its log.
 */
export async function sendTimesheets(
  services: Services,
  companyId: string,
  scope?: { projectId: number | string; from: string; to: string },
) {
  const { db } = services;
  const run = await insertQueuedRun(db, {
    kind: 'timesheets',
    companyId,
    now: new Date(),
    ...(scope
      ? {
          trigger: 'manual',
          mode: 'full',
          startedByUserId: '8150001',
          startedByName: 'Dana Whitfield',
          scope: { projectId: String(scope.projectId), projectName: null, from: scope.from, to: scope.to },
        }
      : { trigger: 'auto', mode: 'incremental', startedByUserId: null, startedByName: null }),
  });
  if (!run) throw new Error('a timesheet send is already queued or running for this company');
  const done = await executeTimesheetRun(services, companyId, run.id);
  if (!done) throw new Error(`timesheet send ${run.id} did not run`);
  return { run: done, log: await listTimesheetEntries(db, companyId, run.id, { limit: 100_000 }) };
}
