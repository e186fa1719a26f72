import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock';
import type { Database } from './database';
import { endLeftoverTransaction, Mutex, PGliteDialect } from './pglite-dialect';
import { PGliteThread } from './pglite-thread';

/** `date` columns stay 'YYYY-MM-DD' strings on both backends: a timesheet date has no time zone. */
const DATE_OID = 1082;

export type SqlExecutor = (
  text: string,
  values?: unknown[],
) => Promise<{ rows: unknown[]; rowCount: number }>;

export type DatabaseErrorListener = (err: Error) => void;

export type DatabasePing = { ok: true; ms: number } | { ok: false; ms: number; error: string };

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: 'pglite' | 'postgres';
  /** Runs raw SQL outside Kysely (the job queue uses it on PGlite, sharing the dialect's mutex). */
  readonly executeSql: SqlExecutor;
  /** Set on PostgreSQL: the job queue opens its own pool. */
  readonly connectionString?: string;
  /** Set on a PGlite kept on disk: its directory (DATA_DIR), where the app keeps files of its own. */
  readonly dataDir?: string;
  /**
   * Errors no query is waiting for: a connection the server closed while idle (restart,
   * `pg_terminate_backend`, network cut). They are reported here and never thrown; the pool
   * drops the connection and opens a new one on the next query. (A query already sent on a
   * connection whose end had not arrived yet fails once, as any query in flight during a restart
   * does.) Without a listener they go to stderr. Returns a function that removes the listener.
   */
  onError(listener: DatabaseErrorListener): () => void;
  /** Whether the database answers a query within `timeoutMs` (for /readyz). Never throws. */
  ping(timeoutMs?: number): Promise<DatabasePing>;
  close(): Promise<void>;
}

/** Fans errors out to listeners; a listener that throws must not take the process down with it. */
function errorChannel(source: string) {
  const listeners = new Set<DatabaseErrorListener>();
  const report = (err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    if (listeners.size === 0) {
      console.error(`${source}: ${error.message}`);
      return;
    }
    for (const listener of listeners) {
      try {
        listener(error);
      } catch (thrown) {
        console.error(`${source}: an error listener failed:`, thrown);
      }
    }
  };
  const onError = (listener: DatabaseErrorListener) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };
  return { report, onError };
}

async function timedPing(query: () => Promise<unknown>, timeoutMs: number): Promise<DatabasePing> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const attempt = query();
  attempt.catch(() => {}); // it may still fail after the timeout answered
  try {
    await Promise.race([attempt, timeout]);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export interface PoolOptions {
  max: number;
  /** Shown in `pg_stat_activity`, so an operator can tell the app's connections apart. */
  applicationName: string;
  /** Gets every connection error that reaches no query. */
  onError: (err: Error) => void;
}

/**
 * A `pg.Pool` that survives losing its server. `pg` emits 'error' on a connection the server
 * closes, and an 'error' event without a listener kills the process. The pool listens only to
 * its idle connections; a connection checked out (Kysely holding it for a transaction, between
 * two queries) has no listener at all. So every connection gets one of its own as it opens, and
 * the pool's event is listened to as well. A broken connection is not queryable any more: the
 * pool discards it when it comes back, and opens a new one for the next query.
 */
export function createPool(connectionString: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max,
    application_name: options.applicationName,
    // Without these an unreachable server (dropped packets, not a refused connection) makes
    // every query wait forever. The connect timeout also bounds waiting for a free connection.
    connectionTimeoutMillis: 15_000,
    // A query whose connection dies in the middle of the server's answer must still end: without
    // this, a connection terminated at the wrong moment left a run's transaction waiting forever.
    query_timeout: 120_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID
          ? (v: string) => v
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('connect', (client) => {
    client.on('error', options.onError);
  });
  // The same error also reaches the connection's own listener above: report it once.
  pool.on('error', () => {});
  return pool;
}

export async function openPostgres(connectionString: string, poolSize = 10): Promise<DatabaseHandle> {
  const errors = errorChannel('database connection error');
  const pool = createPool(connectionString, {
    max: poolSize,
    applicationName: 'procore-worker-sync',
    onError: errors.report,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    connectionString,
    executeSql: async (text, values) => {
      const r = await pool.query(text, values as unknown[]);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
    onError: errors.onError,
    ping: (timeoutMs = 5_000) => timedPing(() => pool.query('select 1'), timeoutMs),
    close: () => db.destroy(),
  };
}

export interface PgliteOptions {
  /** A directory for a persistent database (locked against a second process); omitted = in memory. */
  dataDir?: string;
  /** A `dumpDataDir()` snapshot to start from (tests: a migrated database in about 0.5 s). */
  loadDataDir?: Blob | File;
}

/**
 * PGlite's own start parameters plus a smaller memory budget. The WebAssembly heap is one
 * process's memory, and PostgreSQL's defaults are sized for a server: 128 MB of shared_buffers
 * are written at start, which alone is about 120 MB of resident memory. 16 MB of buffers keep a
 * 50,000-worker company's hot pages (the tables are a few tens of MB and the "disk" under them is
 * the process's own file cache), and index builds get 16 MB instead of 64. PGlite cannot shrink
 * the heap below the 128 MB its module declares (`initialMemory` smaller than that fails to link),
 * but only the pages PostgreSQL touches become resident.
 */
const PGLITE_START_PARAMS = [
  '-c',
  'shared_buffers=16MB',
  '-c',
  'wal_buffers=1MB',
  '-c',
  'maintenance_work_mem=16MB',
];

/**
 * A new data directory needs initdb, which PGlite runs in a second PGlite instance plus the
 * initdb module and then copies over as a tarball: about 700 MB resident for a few seconds, and
 * V8 keeps most of it mapped afterwards. Done in a short-lived child process, the app's own
 * process never holds it; the child opens the directory once with the same parameters and exits.
 */
async function initDataDirInChild(path: string): Promise<void> {
  const moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const script =
    `const { PGlite } = await import(${JSON.stringify(moduleUrl)});` +
    'const startParams = [...PGlite.defaultStartParams, ...JSON.parse(process.argv[2])];' +
    'const pg = await PGlite.create(process.argv[1], { startParams });' +
    'await pg.close();';
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script, path, JSON.stringify(PGLITE_START_PARAMS)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`creating the embedded database in ${path} failed: ${stderr.trim()}`)),
    );
  });
}

export async function openPglite(
  options: PgliteOptions = {},
): Promise<DatabaseHandle & { pglite: PGliteThread }> {
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  const errors = errorChannel('embedded database error');
  let pglite: PGliteThread;
  try {
    const path = options.dataDir ? `${options.dataDir}/pglite` : undefined;
    if (path && !options.loadDataDir && !existsSync(`${path}/PG_VERSION`)) await initDataDirInChild(path);
    pglite = await PGliteThread.start({
      ...(path ? { dataDir: path } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      startParams: PGLITE_START_PARAMS,
      onStopped: errors.report,
    });
  } catch (err) {
    unlock();
    throw err;
  }
  const mutex = new Mutex();
  const db = new Kysely<Database>({
    dialect: new PGliteDialect(pglite, mutex, { onError: errors.report }),
  });
  return {
    db,
    pglite,
    kind: 'pglite',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    // Parameterless SQL may hold several statements (pg-boss's own migrations): exec() takes those.
    executeSql: (text, values) =>
      mutex.run(async () => {
        try {
          const r =
            !values || values.length === 0 ? await pglite.exec(text) : await pglite.query(text, values);
          return { rows: r.rows, rowCount: r.affectedRows ?? 0 };
        } finally {
          // A statement list that failed between its BEGIN and COMMIT (pg-boss sends those)
          // leaves the one shared session inside an aborted transaction.
          await endLeftoverTransaction(pglite, errors.report);
        }
      }),
    onError: errors.onError,
    ping: (timeoutMs = 5_000) => timedPing(() => sql`select 1`.execute(db), timeoutMs),
    close: async () => {
      await db.destroy();
      await pglite.close();
      unlock();
    },
  };
}

export async function openDatabase(
  config: { databaseUrl: string | undefined; dataDir: string },
  options: { onError?: DatabaseErrorListener } = {},
): Promise<DatabaseHandle> {
  const handle = config.databaseUrl
    ? await openPostgres(config.databaseUrl)
    : await openPglite({ dataDir: config.dataDir });
  if (options.onError) handle.onError(options.onError);
  return handle;
}
