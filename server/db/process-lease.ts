import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Expression, type SqlBool, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseHandle } from './connect';
import type { Database } from './database';

/**
 * Which process is alive, as the database sees it. Each app process holds a *session* advisory
 * lock `(LEASE_CLASS, key)` for its whole life, on a connection of its own (PostgreSQL) or on
 * PGlite's only session. A run records the key of the process working it; "is that process
 * alive?" is then one look at `pg_locks`, true the moment the process dies: PostgreSQL releases a
 * session lock when its connection ends, which the kernel does for a killed process at once, and
 * a restarted PGlite holds no lock of its predecessor. No clock, heartbeat or timeout is involved,
 * so a restart recognises its predecessor's runs immediately.
 *
 * The key is kept per database (a WeakMap on the Kysely instance) rather than passed around,
 * so every caller that claims a run on this database, whatever its feature, records the lease
 * without plumbing.
 */
const LEASE_CLASS = 0x52554e; // a namespace for these locks; token refreshes use hashtext keys

// A stack per database: tests may build several services over one database, one after another.
const leases = new WeakMap<object, number[]>();

export interface ProcessLease {
  readonly key: number;
  release(): Promise<void>;
}

/** This process's lease key on `db`, or null when none is held (scripts, some tests). */
export function processLeaseKey(db: Kysely<Database>): number | null {
  return leases.get(db)?.at(-1) ?? null;
}

/** SQL: whether the process holding lease `key` (a column or value) is alive. */
export function leaseHeld(key: Expression<unknown>): Expression<SqlBool> {
  return sql<SqlBool>`exists (
    select 1 from pg_locks l
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
      and l.classid = ${sql.lit(LEASE_CLASS)}::oid and l.objid::bigint = ${key}
      and l.database = (select oid from pg_database where datname = current_database()))`;
}

/**
 * Takes a fresh lease for this process. On PostgreSQL the lock lives on a dedicated connection;
 * if that connection is lost (`pg_terminate_backend`, a database restart) the loss is reported
 * and the same key is taken again on a new connection, so this process's runs are only
 * "orphaned" for as long as the database could not be reached.
 */
export async function acquireProcessLease(
  handle: DatabaseHandle,
  report: (err: Error) => void,
): Promise<ProcessLease> {
  const lease =
    handle.kind === 'postgres' && handle.connectionString
      ? await postgresLease(handle.connectionString, report)
      : await sessionLease(handle);
  leases.set(handle.db, [...(leases.get(handle.db) ?? []), lease.key]);
  return {
    key: lease.key,
    release: async () => {
      const held = (leases.get(handle.db) ?? []).filter((k) => k !== lease.key);
      if (held.length > 0) leases.set(handle.db, held);
      else leases.delete(handle.db);
      await lease.release();
    },
  };
}

async function tryLock(
  query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }>,
  key: number,
) {
  const { rows } = await query('select pg_try_advisory_lock($1, $2) as ok', [LEASE_CLASS, key]);
  return (rows[0] as { ok: boolean } | undefined)?.ok === true;
}

async function freshKey(query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }>) {
  for (;;) {
    const key = randomInt(1, 2 ** 31 - 1);
    if (await tryLock(query, key)) return key;
  }
}

async function sessionLease(handle: DatabaseHandle): Promise<ProcessLease> {
  const key = await freshKey((text, values) => handle.executeSql(text, values));
  return {
    key,
    release: async () => {
      await handle.executeSql('select pg_advisory_unlock($1, $2)', [LEASE_CLASS, key]).catch(() => {});
    },
  };
}

async function postgresLease(connectionString: string, report: (err: Error) => void): Promise<ProcessLease> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const open = async () => {
    const c = new pg.Client({ connectionString, application_name: 'pws-process-lease', keepAlive: true });
    c.on('error', (err) => {
      report(new Error(`the process lease's database connection was lost: ${err.message}`, { cause: err }));
    });
    c.on('end', () => {
      if (closed || client !== c) return;
      client = undefined;
      schedule();
    });
    await c.connect();
    client = c;
    return c;
  };
  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void reacquire();
    }, 500);
    retry.unref();
  };
  let key = 0;
  const reacquire = async () => {
    try {
      const c = await open();
      if (!(await tryLock((t, v) => c.query(t, v), key))) {
        throw new Error('another process holds this process lease');
      }
    } catch (err) {
      report(err instanceof Error ? err : new Error(String(err)));
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
      schedule();
    }
  };

  const first = await open();
  key = await freshKey((t, v) => first.query(t, v));
  return {
    key,
    release: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
