import { z } from 'zod';
import { checkAlertsSoon } from '../alerts/alerts-check.job';
import { numericId } from '../api.schemas';
import { defineJob } from '../jobs/job';
import { RUN_JOB_NAME } from '../runs/run-kinds';
import { executeTimesheetRun, type TimesheetSendDeps } from './send-run';

/** A queued timesheet send. The run is the unit of retry: a failed one is logged, the next resends. */
export const timesheetsSendJob = defineJob({
  name: RUN_JOB_NAME.timesheets,
  payload: z.object({ companyId: numericId, runId: numericId }),
  send: { retryLimit: 0, expireInHours: 4 },
  consume: { consumers: 2 },
  handle: async (payload, deps: TimesheetSendDeps) => {
    await executeTimesheetRun(deps, payload.companyId, payload.runId);
    await checkAlertsSoon(deps, payload.companyId);
  },
});
