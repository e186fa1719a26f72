import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { INTERRUPTED_REASON } from '../procore/failure-policy';
import { RUN_JOB_NAME } from '../runs/run-kinds';
import { recoverInterruptedRuns } from '../runs/runs.service';
import { autosyncTickJob } from '../sync/autosync.job';
import type { UserSyncDeps } from '../sync/run-sync';
import { syncRunJob } from '../sync/sync-run.job';
import { timesheetsAutoTickJob } from '../timesheets/auto-send.job';
import type { TimesheetSendDeps } from '../timesheets/send-run';
import { timesheetsSendJob } from '../timesheets/timesheets-send.job';
import type { WebhookApplyDeps } from '../webhooks/apply-user-change';
import { hookCheckJob, hookCheckTickJob } from '../webhooks/hook-check.job';
import type { HooksService } from '../webhooks/hooks.service';
import { webhookUserChangeJob } from '../webhooks/webhook-user-change.job';
import type { AnyJob, Jobs } from './jobs';

/**
 * Every job of the app. To add one: define it in its feature's `<name>.job.ts` with `defineJob`
 * and list it here; its queue is created at start and every process consumes it.
 */
export type JobServices = UserSyncDeps &
  WebhookApplyDeps &
  TimesheetSendDeps & { hooks: Pick<HooksService, 'check'> };

export const ALL_JOBS: readonly AnyJob<JobServices>[] = [
  syncRunJob,
  autosyncTickJob,
  webhookUserChangeJob,
  hookCheckTickJob,
  hookCheckJob,
  timesheetsSendJob,
  timesheetsAutoTickJob,
];

/** Runs a previous process left behind (crash, deploy) become failed, whatever their kind. */
export function recoverRunsOfEveryKind(deps: { db: Kysely<Database>; jobs: Jobs }): Promise<string[]> {
  return recoverInterruptedRuns(
    deps.db,
    (run) => deps.jobs.isLive({ name: RUN_JOB_NAME[run.kind] }, run.job_id),
    INTERRUPTED_REASON,
  );
}

/** Starts this process's work: recovers what a dead process left, then consumes every job. */
export async function startJobs(
  services: JobServices & { schedules: boolean },
  options: { pollingIntervalSeconds?: number } = {},
): Promise<void> {
  await services.recoverRuns();
  await services.jobs.consume(ALL_JOBS, services, {
    schedule: services.schedules,
    pollingIntervalSeconds: options.pollingIntervalSeconds,
  });
}
