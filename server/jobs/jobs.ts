import { CompiledQuery, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Database } from '../db/database';
import type { JobDefinition } from './job';

// biome-ignore lint/suspicious/noExplicitAny: a list of jobs holds every payload type
export type AnyJob<D> = JobDefinition<any, D>;

/** One of this process's pg-boss workers, and whether it is running jobs right now. */
interface Consumer {
  id: string;
  busy: boolean;
}

/**
 * The job queue as the features use it: sends are validated against the job's definition.
 * Queues are created before anything can send (the webhook receiver may answer before the
 * consumers start); consumers start when the process is ready for work.
 *
 * A queued job never waits for a poll while this process has a consumer free: a send wakes an
 * idle consumer of its queue at once, and a consumer that has just finished jobs looks for the
 * next ones at once instead of after its polling interval (pg-boss waits out the rest of the
 * interval after every fetch, which held a queue of short runs to one run per second per
 * consumer). Only a consumer that found its queue empty waits for the next poll.
 */
export class Jobs {
  readonly #boss: PgBoss;
  readonly #consumers = new Map<string, Consumer[]>();

  constructor(boss: PgBoss) {
    this.#boss = boss;
  }

  async createQueues<D>(definitions: readonly AnyJob<D>[]): Promise<void> {
    for (const def of definitions) {
      await this.#boss.createQueue(def.name, { name: def.name, ...def.queue });
      // createQueue leaves an existing queue as it was: a changed policy (a shorter expiry) must
      // reach databases made by an earlier version too.
      if (def.queue)
        await this.#boss.updateQueue(def.name, { name: def.name, policy: 'standard', ...def.queue });
    }
  }

  async send<P>(def: JobDefinition<P, never>, payload: P, options: PgBoss.SendOptions = {}) {
    const data = def.payload.parse(payload) as object;
    const id = await this.#boss.send(def.name, data, { ...def.send, ...options });
    const idle = this.#consumers.get(def.name)?.find((c) => !c.busy);
    if (id && idle) this.#boss.notifyWorker(idle.id);
    return id;
  }

  /**
   * Queues jobs of one kind in one statement inside the caller's transaction, so they exist
   * exactly when what they are for does; a key's job already waiting is not queued twice. The
   * queue's options apply (not the job's `send`). Call `wake` after the commit: a consumer woken
   * before it would find nothing yet.
   */
  async sendMany<P>(
    def: JobDefinition<P, never>,
    items: ReadonlyArray<{ payload: P; singletonKey?: string }>,
    trx: Kysely<Database>,
  ): Promise<void> {
    if (items.length === 0) return;
    const jobs = items.map((item) => ({
      name: def.name,
      data: def.payload.parse(item.payload) as object,
      singletonKey: item.singletonKey,
    }));
    await this.#boss.insert(jobs, {
      db: {
        executeSql: async (text, values) => ({
          rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[],
        }),
      },
    });
  }

  /** Wakes an idle consumer of the job, if this process has one, to look for work at once. */
  wake(def: { name: string }): void {
    const idle = this.#consumers.get(def.name)?.find((c) => !c.busy);
    if (idle) this.#boss.notifyWorker(idle.id);
  }

  /** Of these singleton keys, the ones with a job of this kind waiting, retrying or running. */
  async liveKeys(def: { name: string }, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await this.#boss
      .getDb()
      .executeSql(
        `select distinct singleton_key from pgboss.job where name = $1 and singleton_key = any($2::text[]) and state < 'completed'`,
        [def.name, [...keys]],
      );
    return new Set((rows as Array<{ singleton_key: string }>).map((r) => r.singleton_key));
  }

  /** Whether a job is still waiting or running (not completed, failed or gone). */
  async isLive(def: { name: string }, jobId: string): Promise<boolean> {
    const job = await this.#boss.getJobById(def.name, jobId);
    return job !== null && ['created', 'retry', 'active'].includes(job.state);
  }

  async #run<D>(def: AnyJob<D>, deps: D, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const payload = def.payload.parse(job.data);
    await def.handle(payload, deps, { retryCount: job.retryCount, retryLimit: job.retryLimit });
  }

  /** A batch through the job's `handleBatch`: a job whose payload does not parse fails alone. */
  async #runBatch<D>(def: AnyJob<D>, deps: D, jobs: PgBoss.JobWithMetadata<unknown>[]): Promise<void> {
    const valid: Array<{ job: PgBoss.JobWithMetadata<unknown>; payload: unknown }> = [];
    for (const job of jobs) {
      const parsed = def.payload.safeParse(job.data);
      if (parsed.success) valid.push({ job, payload: parsed.data });
      else await this.#boss.fail(def.name, job.id, parsed.error);
    }
    if (valid.length === 0) return;
    const errors = await def.handleBatch!(
      valid.map(({ job, payload }) => ({
        payload,
        context: { retryCount: job.retryCount, retryLimit: job.retryLimit },
      })),
      deps,
    );
    for (const [i, { job }] of valid.entries()) {
      const err = errors[i];
      if (err !== undefined) await this.#boss.fail(def.name, job.id, toError(err));
    }
  }

  /** Starts this process's consumers of every job, and their schedules. */
  async consume<D>(
    definitions: readonly AnyJob<D>[],
    deps: D,
    options: { schedule: boolean; pollingIntervalSeconds?: number },
  ): Promise<void> {
    for (const def of definitions) {
      const consumers = def.consume?.consumers;
      const count = typeof consumers === 'function' ? consumers(deps) : (consumers ?? 1);
      const batch = def.consume?.batchSize;
      const work = {
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? def.consume?.pollingIntervalSeconds ?? 1,
        batchSize: typeof batch === 'function' ? batch(deps) : (batch ?? 1),
        includeMetadata: true as const,
      };
      const spacing = def.consume?.batchSpacingMs ?? 0;
      const started: Consumer[] = [];
      for (let i = 0; i < count; i++) {
        const consumer: Consumer = { id: '', busy: false };
        consumer.id = await this.#boss.work<unknown>(def.name, work, async (jobs) => {
          consumer.busy = true;
          const fetchedAt = Date.now();
          try {
            if (def.handleBatch) return await this.#runBatch(def, deps, jobs);
            if (jobs.length === 1) return await this.#run(def, deps, jobs[0]!);
            // pg-boss settles a batch as one: a job that throws is failed here on its own (it is
            // then no longer active, so the batch's completion leaves it as it is).
            for (const job of jobs) {
              await this.#run(def, deps, job).catch((err) => this.#boss.fail(def.name, job.id, err));
            }
          } finally {
            // There may be more waiting: fetch again as soon as these are settled (or the spacing
            // allows; until then the consumer counts as busy, so a send does not wake it early).
            const rest = spacing - (Date.now() - fetchedAt);
            const next = () => {
              consumer.busy = false;
              this.#boss.notifyWorker(consumer.id);
            };
            if (rest > 0) setTimeout(next, rest).unref();
            else next();
          }
        });
        started.push(consumer);
      }
      this.#consumers.set(def.name, started);
      if (def.schedule && options.schedule) {
        await this.#boss.schedule(def.name, def.schedule, {}, { tz: 'UTC', retryLimit: 0 });
      }
    }
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
