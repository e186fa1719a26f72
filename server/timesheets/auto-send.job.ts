import { z } from 'zod';
import { defineJob } from '../jobs/job';
import { autoSendTick } from './send.service';
import type { TimesheetSendDeps } from './send-run';

/** Every minute; fans out to the companies whose hourly minute has come (Auto Sync Time Cards). */
export const timesheetsAutoTickJob = defineJob({
  name: 'timesheets-auto-tick',
  payload: z.object({}).loose(),
  schedule: '* * * * *',
  handle: async (_payload, deps: TimesheetSendDeps) => {
    await autoSendTick(deps);
  },
});
