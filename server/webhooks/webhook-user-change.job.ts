import { z } from 'zod';
import { checkAlertsSoon } from '../alerts/alerts-check.job';
import { numericId } from '../api.schemas';
import { defineJob } from '../jobs/job';
import type { Jobs } from '../jobs/jobs';
import { applyUserChange, type WebhookApplyDeps } from './apply-user-change';

/**
 * One job per (company, user) under a singleton key. The queue's `short`
 * policy keeps at most one *waiting* job per key, so a burst of deliveries for one user becomes the
 * job already running plus one more read — never one read per delivery (design.md flow 4). Two
 * runs of one key may overlap (the waiting one starts while the other finishes);
 * `webhook_user_reads` makes the later Procore read win. pg-boss's `stately` policy would forbid
 * the overlap, but its fetch fails on the unique index while a key is active, which stalls every
 * other company's webhooks behind one slow user (timgit/pg-boss#535). Transient Procore trouble is
 * retried with backoff; the hourly reconcile covers anything lost.
 *
 * The job is one Procore read and one transaction, so it expires after a minute: a job whose
 * process died is retried by pg-boss within a minute (plus its monitor's interval), not after
 * five. A restarted process also re-queues at once every delivery still waiting
 * (`requeueWaitingDeliveries`).
 */
export const webhookUserChangeJob = defineJob({
  name: 'webhook-user-change',
  payload: z.object({ companyId: numericId, userId: numericId }),
  queue: { policy: 'short', retryLimit: 6, retryDelay: 2, retryBackoff: true, expireInSeconds: 60 },
  // PGlite is one connection: more consumers would only make the webhook receiver wait on them.
  // A poll takes a batch, so a burst of edits is not worked at one job per polling interval; a
  // batch stays well inside the job's one-minute expiry.
  consume: {
    consumers: (deps: WebhookApplyDeps) => (deps.database.kind === 'postgres' ? 4 : 1),
    pollingIntervalSeconds: 0.5,
    batchSize: (deps: WebhookApplyDeps) => (deps.database.kind === 'postgres' ? 5 : 10),
  },
  handle: async (payload, deps: WebhookApplyDeps & { jobs: Jobs }, context) => {
    const outcome = await applyUserChange(deps, payload.companyId, payload.userId, {
      finalAttempt: context.retryCount >= context.retryLimit,
    });
    // A change that could not be applied is a problem an admin hears about (alerts/).
    if (outcome === 'failed') await checkAlertsSoon(deps, payload.companyId);
  },
});

/** Queues a fetch-and-apply of one Procore user (coalesced per company and user). */
export function userChangeKey(companyId: string, userId: string): string {
  return `${companyId}:${userId}`;
}
