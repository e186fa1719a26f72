import { z } from 'zod';
import { defineJob } from '../jobs/job';
import type { Jobs } from '../jobs/jobs';
import type { WebhookApplyDeps } from './apply-user-change';
import { requeueOrphanedDeliveries } from './deliveries.service';

/** A delivery waiting this long without any job for its user has lost it. */
const ORPHANED_AFTER_MS = 60_000;

/**
 * Every minute, once across processes: deliveries stored without their job (a process that died
 * between storing a delivery and queueing its job, intake.ts) are queued again.
 */
export const webhookRequeueTickJob = defineJob({
  name: 'webhook-requeue-tick',
  payload: z.object({}).loose(),
  schedule: '* * * * *',
  consume: { pollingIntervalSeconds: 5 },
  handle: async (_payload, deps: WebhookApplyDeps & { jobs: Jobs }) => {
    const queued = await requeueOrphanedDeliveries(deps, ORPHANED_AFTER_MS);
    if (queued > 0) deps.log.warn({ queued }, 'webhook changes left without a job were queued again');
  },
});
