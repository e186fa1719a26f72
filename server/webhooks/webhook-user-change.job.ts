import { z } from 'zod';
import { checkAlertsSoon } from '../alerts/alerts-check.job';
import { numericId } from '../api.schemas';
import { defineJob } from '../jobs/job';
import type { Jobs } from '../jobs/jobs';
import {
  applyUserChanges,
  type UserChangeRequest,
  type UserChangeResult,
  type WebhookApplyDeps,
} from './apply-user-change';

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
 * A poll takes up to a batch of jobs and works each company's together (`applyUserChanges`): one
 * Procore read per user and one transaction per company, so a burst of edits is applied at the
 * pace of a sync's pages rather than a transaction per user. A batch of a few hundred reads and
 * one transaction stays well inside the job's one-minute expiry, so a job whose process died is
 * retried by pg-boss within a minute (plus its monitor's interval), not after five. A restarted
 * process also re-queues at once every delivery still waiting (`requeueWaitingDeliveries`).
 */
export const webhookUserChangeJob = defineJob({
  name: 'webhook-user-change',
  payload: z.object({ companyId: numericId, userId: numericId }),
  queue: { policy: 'short', retryLimit: 6, retryDelay: 2, retryBackoff: true, expireInSeconds: 60 },
  // PGlite is one connection: one consumer, whose batches are the unit of work. On PostgreSQL two
  // consumers overlap one batch's Procore reads with the other's transaction.
  consume: {
    consumers: (deps: WebhookApplyDeps) => (deps.database.kind === 'postgres' ? 2 : 1),
    pollingIntervalSeconds: 0.5,
    batchSize: 100,
    batchSpacingMs: 250,
  },
  handle: async (payload, deps: WebhookApplyDeps & { jobs: Jobs }, context) => {
    const [err] = await webhookUserChangeJob.handleBatch!([{ payload, context }], deps);
    if (err !== undefined) throw err;
  },
  handleBatch: async (jobs, deps: WebhookApplyDeps & { jobs: Jobs }) => {
    const byCompany = new Map<string, UserChangeRequest[]>();
    for (const { payload, context } of jobs) {
      const requests = byCompany.get(payload.companyId) ?? [];
      requests.push({ userId: payload.userId, finalAttempt: context.retryCount >= context.retryLimit });
      byCompany.set(payload.companyId, requests);
    }
    const results = new Map<string, UserChangeResult>();
    for (const [companyId, requests] of byCompany) {
      const outcomes = await applyUserChanges(deps, companyId, requests);
      for (const [userId, result] of outcomes) results.set(userChangeKey(companyId, userId), result);
      // A change that could not be applied is a problem an admin hears about (alerts/).
      if ([...outcomes.values()].some((r) => 'outcome' in r && r.outcome === 'failed'))
        await checkAlertsSoon(deps, companyId);
    }
    return jobs.map(({ payload }) => {
      const result = results.get(userChangeKey(payload.companyId, payload.userId));
      return result && 'retry' in result ? (result.retry ?? new Error('retry')) : undefined;
    });
  },
});

/** Queues a fetch-and-apply of one Procore user (coalesced per company and user). */
export function userChangeKey(companyId: string, userId: string): string {
  return `${companyId}:${userId}`;
}
