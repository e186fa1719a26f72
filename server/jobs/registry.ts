import type { Kysely } from 'kysely';
import type { AlertsService } from '../alerts/alerts.service';
import { alertsCheckJob, alertsTickJob } from '../alerts/alerts-check.job';
import type { Database } from '../db/database';
import { INTERRUPTED_REASON } from '../procore/failure-policy';
import { type RetentionDeps, retentionJob } from '../retention/retention.job';
import { RUN_JOB_NAME } from '../runs/run-kinds';
import { recoverInterruptedRuns } from '../runs/runs.service';
import { autosyncTickJob } from '../sync/autosync.job';
import type { UserSyncDeps } from '../sync/run-sync';
import { syncRunJob } from '../sync/sync-run.job';
import { timesheetsAutoTickJob } from '../timesheets/auto-send.job';
import type { TimesheetSendDeps } from '../timesheets/send-run';
import { timesheetsSendJob } from '../timesheets/timesheets-send.job';
import type { WebhookApplyDeps } from '../webhooks/apply-user-change';
import { requeueWaitingDeliveries } from '../webhooks/deliveries.service';
import { hookCheckJob, hookCheckTickJob } from '../webhooks/hook-check.job';
import type { HooksService } from '../webhooks/hooks.service';
import { webhookRequeueTickJob } from '../webhooks/requeue.job';
import { webhookUserChangeJob } from '../webhooks/webhook-user-change.job';
import type { AnyJob, Jobs } from './jobs';

/**
 * Every job of the app. To add one: define it in its feature's `<name>.job.ts` with `defineJob`
 * and list it here; its queue is created at start and every process consumes it.
 */
export type JobServices = UserSyncDeps &
  WebhookApplyDeps &
  TimesheetSendDeps &
  RetentionDeps & {
    hooks: Pick<HooksService, 'check'>;
    alerts: Pick<AlertsService, 'evaluate' | 'companiesToWatch'>;
  };

export const ALL_JOBS: readonly AnyJob<JobServices>[] = [
  syncRunJob,
  autosyncTickJob,
  webhookUserChangeJob,
  webhookRequeueTickJob,
  hookCheckTickJob,
  hookCheckJob,
  timesheetsSendJob,
  timesheetsAutoTickJob,
  retentionJob,
  alertsCheckJob,
  alertsTickJob,
];

/** Runs a previous process left behind (crash, deploy) become failed, whatever their kind. */
export function recoverRunsOfEveryKind(deps: { db: Kysely<Database>; jobs: Jobs }): Promise<string[]> {
  return recoverInterruptedRuns(
    deps.db,
    (run) => deps.jobs.isLive({ name: RUN_JOB_NAME[run.kind] }, run.job_id),
    INTERRUPTED_REASON,
  );
}

/**
 * Starts this process's work: recovers what a dead process left (its runs end as interrupted, its
 * accepted webhook deliveries are queued again), then consumes every job. main.ts calls it before
 * listening, so a restarted app never reports ready, nor answers a Sync, with a dead run active.
 */
export async function startJobs(
  services: JobServices & { schedules: boolean },
  options: { pollingIntervalSeconds?: number } = {},
): Promise<void> {
  const recovered = await services.recoverRuns();
  if (Array.isArray(recovered) && recovered.length > 0)
    services.log.warn({ runs: recovered }, 'runs interrupted by a restart marked failed');
  const requeued = await requeueWaitingDeliveries(services);
  if (requeued > 0) services.log.info({ requeued }, 'webhook changes accepted before a restart queued again');
  await services.jobs.consume(ALL_JOBS, services, {
    schedule: services.schedules,
    pollingIntervalSeconds: options.pollingIntervalSeconds,
  });
}
