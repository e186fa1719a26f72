import type { RunKind } from '../db/database';

/** The job that works a queued run of each kind (recovery asks the queue whether it is alive). */
export const RUN_JOB_NAME: Record<RunKind, string> = {
  users: 'sync-run',
  timesheets: 'timesheets-send',
};
