import { z } from 'zod';
import { numericId } from '../api.schemas';
import { defineJob } from '../jobs/job';
import type { Jobs } from '../jobs/jobs';

/**
 * Alerts are evaluated by one job per company: sent when a run ends, a webhook change fails or a
 * company is disconnected, and for every watched company on a short schedule (which also sees
 * what changed without a run: a review decided, a hook put back, a reconnect). The deps are the
 * alerts service's, named here so a run's job can send this one without importing the service.
 */
interface AlertsCheckDeps {
  jobs: Jobs;
  alerts: {
    evaluate(companyId: string): Promise<unknown>;
    companiesToWatch(): Promise<string[]>;
  };
}

export const alertsCheckJob = defineJob({
  name: 'alerts-check',
  payload: z.object({ companyId: numericId }),
  // One waiting per company: a burst of sends is one evaluation.
  queue: { policy: 'short', retryLimit: 2, retryDelay: 30, expireInSeconds: 120 },
  consume: { pollingIntervalSeconds: 2 },
  handle: async (payload, deps: AlertsCheckDeps) => {
    await deps.alerts.evaluate(payload.companyId);
  },
});

/** Queues a company's alert evaluation; never fails its caller (the schedule catches up). */
export async function checkAlertsSoon(
  deps: { jobs: Jobs; log: { warn(details: object, message: string): void } },
  companyId: string,
): Promise<void> {
  try {
    await deps.jobs.send(alertsCheckJob, { companyId }, { singletonKey: companyId });
  } catch (err) {
    deps.log.warn({ err, companyId }, 'could not queue an alert check');
  }
}

/** Every minute, fanned out to one evaluation per watched company. */
export const alertsTickJob = defineJob({
  name: 'alerts-tick',
  payload: z.object({}).loose(),
  schedule: '* * * * *',
  consume: { pollingIntervalSeconds: 5 },
  handle: async (_payload, deps: AlertsCheckDeps) => {
    for (const companyId of await deps.alerts.companiesToWatch()) {
      await deps.jobs.send(alertsCheckJob, { companyId }, { singletonKey: companyId });
    }
  },
});
