import { z } from 'zod';
import type { JobQueue } from '../jobs/queue';
import { type ApplyUserOutcome, applyUserChange, type WebhookApplyDeps } from './apply-user-change';
import { HOOK_CHECK_JOB, HOOK_CHECK_TICK_JOB, type HookHealthDeps, hookCheckWorkers } from './hook-health';
import type { WebhookWork } from './receiver.routes';

/**
 * The webhook apply job (style.md rules 14–15): one job per (company, user) under a singleton
 * key. The queue's `short` policy keeps at most one *waiting* job per key, so a burst of
 * deliveries for one user becomes the job already running plus one more read — never one read
 * per delivery (design.md flow 4). Two runs of one key may overlap (the waiting one starts while
 * the other finishes); `webhook_user_reads` makes the later Procore read win. pg-boss's `stately`
 * policy would forbid the overlap, but its fetch fails on the unique index while a key is active,
 * which stalls every other company's webhooks behind one slow user (timgit/pg-boss#535).
 */
export const WEBHOOK_USER_JOB = 'webhook-user-change';

export const webhookUserPayload = z.object({
  companyId: z.string().regex(/^\d{1,19}$/),
  userId: z.string().regex(/^\d{1,19}$/),
});
export type WebhookUserPayload = z.infer<typeof webhookUserPayload>;

/** Transient Procore trouble is retried with backoff; the hourly reconcile covers anything lost. */
const QUEUE_OPTIONS = {
  name: WEBHOOK_USER_JOB,
  policy: 'short',
  retryLimit: 6,
  retryDelay: 2,
  retryBackoff: true,
  expireInSeconds: 5 * 60,
} as const;

/** Workers this process runs per queue, so a send can wake one instead of waiting for its poll. */
const localWorkers = new WeakMap<JobQueue, string[]>();

export function createWebhookWork(queue: JobQueue): WebhookWork {
  let ready: Promise<void> | undefined;
  return {
    async enqueueUserChange(companyId, userId) {
      // The receiver may answer before startWebhookWorkers ran; createQueue is idempotent.
      ready ??= queue.createQueue(WEBHOOK_USER_JOB, QUEUE_OPTIONS).catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await ready;
      const data = webhookUserPayload.parse({ companyId, userId });
      // null = a job for this user is already waiting: it will read the user after this delivery.
      await queue.send(WEBHOOK_USER_JOB, data, { singletonKey: `${companyId}:${userId}` });
      const [worker] = localWorkers.get(queue) ?? [];
      if (worker) queue.notifyWorker(worker);
    },
  };
}

export interface WebhookWorkerDeps extends WebhookApplyDeps {
  queue: JobQueue;
  /**
   * Jobs this process works at once (each is one Procore read and one transaction). Default 1:
   * on PGlite every query shares one connection, and a second worker only makes the receiver wait
   * (bench/webhooks.bench.ts); on PostgreSQL pass more, or run more processes.
   */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  /** With these, the hourly hook check runs here too (hook-health.ts). */
  hookHealth?: Omit<HookHealthDeps, 'db'> & { schedule?: boolean };
  /** Test hook: every finished job's outcome. */
  onApplied?: (payload: WebhookUserPayload, outcome: ApplyUserOutcome) => void;
}

export async function startWebhookWorkers(deps: WebhookWorkerDeps): Promise<void> {
  const { queue } = deps;
  await queue.createQueue(WEBHOOK_USER_JOB, QUEUE_OPTIONS);
  const options = {
    pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 0.5,
    includeMetadata: true as const,
  };
  const ids: string[] = [];
  for (let i = 0; i < (deps.concurrency ?? 1); i++) {
    ids.push(
      await queue.work<unknown>(WEBHOOK_USER_JOB, options, async (jobs) => {
        for (const job of jobs) {
          const payload = webhookUserPayload.parse(job.data);
          const outcome = await applyUserChange(deps, payload.companyId, payload.userId, {
            finalAttempt: job.retryCount >= job.retryLimit,
          });
          deps.onApplied?.(payload, outcome);
        }
      }),
    );
  }
  localWorkers.set(queue, ids);

  if (deps.hookHealth) {
    await queue.createQueue(HOOK_CHECK_TICK_JOB);
    await queue.createQueue(HOOK_CHECK_JOB, {
      name: HOOK_CHECK_JOB,
      policy: 'short',
      retryLimit: 2,
      retryDelay: 60,
    });
    await hookCheckWorkers({ ...deps.hookHealth, db: deps.db, queue });
    if (deps.hookHealth.schedule !== false) {
      // Once an hour, fanned out per company (style.md rule 15).
      await queue.schedule(HOOK_CHECK_TICK_JOB, '41 * * * *', {}, { tz: 'UTC', retryLimit: 0 });
    }
  }
}
