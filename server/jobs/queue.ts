import PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../db/connect';

/**
 * The Postgres-backed job queue (pg-boss). On PostgreSQL it has its own pool; on PGlite it runs
 * through the database handle's `executeSql`, which shares the Kysely dialect's mutex
 * (toolchain.md §5, appendix B), so a job never runs inside someone else's transaction.
 */
export type JobQueue = PgBoss;

export interface QueueOptions {
  /** Seconds between polls for new jobs (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Run pg-boss's cron scheduler in this process (every app process does; pg-boss keeps it single). */
  schedule?: boolean;
}

export async function startJobQueue(
  handle: DatabaseHandle,
  onError: (err: Error) => void,
  options: QueueOptions = {},
): Promise<JobQueue> {
  const common = {
    schedule: options.schedule ?? true,
    supervise: true,
    cronMonitorIntervalSeconds: 30,
    cronWorkerIntervalSeconds: 5,
  };
  const boss =
    handle.kind === 'postgres'
      ? new PgBoss({ connectionString: handle.connectionString, max: 4, ...common })
      : new PgBoss({ db: { executeSql: (text, values) => handle.executeSql(text, values) }, ...common });
  boss.on('error', onError);
  await boss.start();
  return boss;
}

/** Stops taking jobs, waits for the ones in flight, then closes the queue's connections. */
export async function stopJobQueue(boss: JobQueue, timeoutMs = 30_000): Promise<void> {
  await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
}
