import PgBoss from 'pg-boss';
import { createPool, type DatabaseHandle, type SqlExecutor } from '../db/connect';
import { storableJson, storableString } from '../db/storable-text';

/**
 * The Postgres-backed job queue (pg-boss). On PostgreSQL it has its own pool; on PGlite it runs
 * through the database handle's `executeSql`, which shares the Kysely dialect's mutex
 * (toolchain.md §5, appendix B), so a job never runs inside someone else's transaction.
 *
 * Nothing pg-boss does may end the process. pg-boss reports most failures as 'error' events, but
 * it writes a finished job's outcome (complete or fail) without awaiting the write: if that
 * write fails, because the database is gone for a moment or because the handler's error holds
 * text PostgreSQL refuses (a NUL in a Procore message), the rejection is unhandled and Node
 * exits. So pg-boss always gets its SQL through `queueExecutor` below, on both backends: the
 * outcome it writes is made storable first, and a failed outcome write is reported instead of
 * thrown. The job then stays active until pg-boss's monitor expires it, and is retried or failed
 * as its retry limit says.
 */
export type JobQueue = PgBoss;

export interface QueueOptions {
  /** Seconds between polls for new jobs (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Run pg-boss's cron scheduler in this process (every app process does; pg-boss keeps it single). */
  schedule?: boolean;
}

const ERROR_MESSAGE_MAX = 2_000;
const ERROR_STACK_MAX = 8_000;

/**
 * An error safe to store anywhere (pg-boss's job table, a run's reason): message and stack
 * without the characters PostgreSQL refuses and of bounded length, with `code` and up to three
 * causes; other properties (response bodies and the like) are dropped. For job handlers that keep
 * an error's text in their own tables, or rethrow a cleaned error.
 */
export function storableError(err: unknown, depth = 0): Error {
  const source = toError(err);
  const out = new Error(storableString(source.message ?? '', ERROR_MESSAGE_MAX));
  out.name = storableString(String(source.name ?? 'Error'), 100);
  out.stack = typeof source.stack === 'string' ? storableString(source.stack, ERROR_STACK_MAX) : undefined;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') {
    (out as Error & { code?: string | number }).code =
      typeof code === 'string' ? storableString(code, 100) : code;
  }
  if (source.cause !== undefined && depth < 3) out.cause = storableError(source.cause, depth + 1);
  return out;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(asText(value));
}

/** pg-boss's complete and fail-by-id statements: the only two with an outcome in `$3::jsonb`. */
function isJobOutcomeWrite(text: string): boolean {
  return text.includes('$3::jsonb') && text.includes('UNNEST($2::uuid[])');
}

/**
 * pg-boss's `db.executeSql`: rejections are always `Error`s (its worker loop rewrites
 * `err.message`, which throws on anything else), job outcomes are made storable, and a failed
 * outcome write is reported rather than rejected (see above).
 */
export function queueExecutor(execute: SqlExecutor, report: (err: Error) => void): PgBoss.Db['executeSql'] {
  return async (text, values) => {
    const outcome = isJobOutcomeWrite(text);
    const params =
      outcome && values && values.length >= 3
        ? [...values.slice(0, 2), storableJson(values[2]), ...values.slice(3)]
        : values;
    try {
      return await execute(text, params);
    } catch (err) {
      const error = toError(err);
      if (!outcome) throw error;
      report(
        new Error(
          `could not record a job's outcome (the job stays active until it expires): ${error.message}`,
          {
            cause: error,
          },
        ),
      );
      // The shape pg-boss reads the affected count from.
      return { rows: [{ count: '0' }], rowCount: 0 };
    }
  };
}

interface QueueResources {
  report: (err: Error) => void;
  close: () => Promise<void>;
}

const resources = new WeakMap<JobQueue, QueueResources>();

export async function startJobQueue(
  handle: DatabaseHandle,
  onError: (err: Error) => void,
  options: QueueOptions = {},
): Promise<JobQueue> {
  // A listener that throws inside pg-boss's timers would become an unhandled rejection.
  const report = (err: unknown) => {
    try {
      onError(toError(err));
    } catch (thrown) {
      console.error('job queue error (and its listener failed):', err, thrown);
    }
  };
  let execute: SqlExecutor;
  let closePool = async () => {};
  if (handle.kind === 'postgres' && handle.connectionString) {
    const pool = createPool(handle.connectionString, { max: 4, applicationName: 'pgboss', onError: report });
    execute = async (text, values) => {
      const r = await pool.query(text, values);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    };
    closePool = () => pool.end();
  } else {
    execute = handle.executeSql;
  }
  const boss = new PgBoss({
    db: { executeSql: queueExecutor(execute, report) },
    schedule: options.schedule ?? true,
    supervise: true,
    cronMonitorIntervalSeconds: 30,
    cronWorkerIntervalSeconds: 5,
  });
  boss.on('error', report);
  resources.set(boss, { report, close: closePool });
  try {
    await boss.start();
  } catch (err) {
    await closePool().catch(() => {});
    throw err;
  }
  return boss;
}

/**
 * Stops taking jobs, waits for the ones in flight, then closes the queue's connections. Never
 * throws: it runs during shutdown, where the database may be the reason for shutting down.
 */
export async function stopJobQueue(boss: JobQueue, timeoutMs = 30_000): Promise<void> {
  const own = resources.get(boss);
  try {
    await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
  } catch (err) {
    own?.report(toError(err));
  }
  try {
    await own?.close();
  } catch (err) {
    own?.report(toError(err));
  }
  resources.delete(boss);
}
