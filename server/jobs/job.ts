import type PgBoss from 'pg-boss';
import type { z } from 'zod';

/**
 * A job is data: a name, a zod payload checked when sent and again when run
 * (a job may be older than the code), the queue's policy, how this process consumes it, an
 * optional cron schedule, and a handler that awaits everything. Each lives in its feature's
 * `*.jobs.ts`; `jobs/registry.ts` lists them all.
 */
export interface JobContext {
  /** Retries already spent, and how many the queue allows. */
  retryCount: number;
  retryLimit: number;
}

export interface JobDefinition<P, D> {
  name: string;
  payload: z.ZodType<P>;
  /** pg-boss queue options (policy, retries, expiry); fixed when the queue is created. */
  queue?: Omit<PgBoss.Queue, 'name'>;
  /**
   * How this process consumes the queue: parallel consumers, how often each polls, and how many
   * jobs one poll takes (worked one after another; each succeeds or fails on its own).
   */
  consume?: {
    consumers?: number | ((deps: D) => number);
    pollingIntervalSeconds?: number;
    batchSize?: number | ((deps: D) => number);
    /**
     * A consumer that has finished a batch fetches the next one no sooner than this many ms after
     * it fetched the last, so a steady stream of jobs is worked in batches (and leaves the process
     * time for its requests) rather than a fetch per job. A job sent to an idle consumer still
     * starts at once.
     */
    batchSpacingMs?: number;
  };
  /** A cron line (UTC): pg-boss sends the job on it, once across every process. */
  schedule?: string;
  /** Send options every send gets (e.g. how long a run may take). */
  send?: PgBoss.SendOptions;
  handle(payload: P, deps: D, context: JobContext): Promise<void>;
  /**
   * Works the jobs one poll took together (say, in one transaction) instead of one `handle` each.
   * Answers, in the jobs' order, undefined for a job done or the error that fails it (retried as
   * the queue says); throwing fails the whole batch.
   */
  handleBatch?(jobs: ReadonlyArray<{ payload: P; context: JobContext }>, deps: D): Promise<unknown[]>;
}

export function defineJob<P, D>(definition: JobDefinition<P, D>): JobDefinition<P, D> {
  return definition;
}
