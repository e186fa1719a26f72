import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock';
import type { Database } from './database';
import { Mutex, PGliteDialect, pgCompatParsers } from './pglite-dialect';

/** `date` columns stay 'YYYY-MM-DD' strings on both backends: a timesheet date has no time zone. */
const DATE_OID = 1082;

export type SqlExecutor = (
  text: string,
  values?: unknown[],
) => Promise<{ rows: unknown[]; rowCount: number }>;

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: 'pglite' | 'postgres';
  /** Runs raw SQL outside Kysely (the job queue uses it on PGlite, sharing the dialect's mutex). */
  readonly executeSql: SqlExecutor;
  /** Set on PostgreSQL: the job queue opens its own pool. */
  readonly connectionString?: string;
  close(): Promise<void>;
}

export async function openPostgres(connectionString: string, poolSize = 10): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID
          ? (v: string) => v
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
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
    close: () => db.destroy(),
  };
}

export interface PgliteOptions {
  /** A directory for a persistent database (locked against a second process); omitted = in memory. */
  dataDir?: string;
  /** A `dumpDataDir()` snapshot to start from (tests: a migrated database in about 0.5 s). */
  loadDataDir?: Blob | File;
}

export async function openPglite(options: PgliteOptions = {}): Promise<DatabaseHandle & { pglite: PGlite }> {
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(options.dataDir ? `${options.dataDir}/pglite` : undefined, {
      parsers: { ...pgCompatParsers, [pgliteTypes.DATE]: (v: string) => v },
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (err) {
    unlock();
    throw err;
  }
  const mutex = new Mutex();
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, mutex) });
  return {
    db,
    pglite,
    kind: 'pglite',
    // Parameterless SQL may hold several statements (pg-boss's own migrations): exec() takes those.
    executeSql: (text, values) =>
      mutex.run(async () => {
        if (!values || values.length === 0) {
          const results = await pglite.exec(text);
          const last = results[results.length - 1];
          return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
        }
        const r = await pglite.query(text, values);
        return { rows: r.rows, rowCount: r.affectedRows ?? 0 };
      }),
    close: async () => {
      await db.destroy();
      await pglite.close();
      unlock();
    },
  };
}

export function openDatabase(config: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<DatabaseHandle> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite({ dataDir: config.dataDir });
}
