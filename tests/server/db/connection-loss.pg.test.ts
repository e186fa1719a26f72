import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import { healthRoutes } from '../../../server/health.routes';
import { type JobQueue, startJobQueue, stopJobQueue } from '../../../server/jobs/queue';
import { freshDatabase } from '../../helpers/db';

/**
 * The app's PostgreSQL connections are cut from under it (`pg_terminate_backend`, as a restart
 * or a failover does). The process must live on, say so through the error listener, and work
 * again on the next query. Needs a real server: runs where TEST_DATABASE_URL is set.
 */
const url = process.env.TEST_DATABASE_URL;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Terminates the connections to `database` (only those opened under `applicationName` when
 * given); returns how many.
 */
function terminate(database: string, applicationName?: string): Promise<number> {
  return admin(async (c) => {
    const r = await c.query(
      `select pg_terminate_backend(pid) as done from pg_stat_activity
        where datname = $1 and ($2::text is null or application_name = $2) and pid <> pg_backend_pid()`,
      [database, applicationName ?? null],
    );
    return r.rows.filter((row) => row.done).length;
  });
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Crashes the process would have died of, caught here so the test can name them. */
function watchProcess() {
  const fatal: unknown[] = [];
  const onFatal = (err: unknown) => fatal.push(err);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  return {
    fatal,
    stop: () => {
      process.off('uncaughtException', onFatal);
      process.off('unhandledRejection', onFatal);
    },
  };
}

describe('losing the PostgreSQL connection', () => {
  let handle: DatabaseHandle;
  let database: string;
  const errors: Error[] = [];
  let watch: ReturnType<typeof watchProcess>;

  beforeAll(async () => {
    handle = await freshDatabase('postgres');
    handle.onError((err) => errors.push(err));
    const r = await sql<{ db: string }>`select current_database() as db`.execute(handle.db);
    database = r.rows[0]!.db;
  });
  afterAll(async () => {
    await handle?.close();
  });
  beforeEach(() => {
    errors.length = 0;
    watch = watchProcess();
  });
  afterEach(() => {
    watch.stop();
    expect(watch.fatal).toEqual([]);
  });

  it('reports idle connections the server closed, and the next query opens a new one', async () => {
    // Several connections in the pool, all idle.
    await Promise.all(Array.from({ length: 3 }, () => sql`select pg_sleep(0.05)`.execute(handle.db)));
    const cut = await terminate(database);
    expect(cut).toBeGreaterThanOrEqual(1);
    // One report per connection. (A query sent on a connection whose end is still on its way
    // would fail once, as any query in flight during a restart does.)
    await waitFor(() => errors.length >= cut, 'the error listener');
    expect(errors[0]!.message).toMatch(/terminat/i);

    const r = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(r.rows).toEqual([{ one: 1 }]);
    expect((await handle.ping()).ok).toBe(true);
  });

  it('survives a connection closed while a transaction holds it between two queries', async () => {
    let reached!: () => void;
    const inside = new Promise<void>((r) => {
      reached = r;
    });
    let proceed!: () => void;
    const resume = new Promise<void>((r) => {
      proceed = r;
    });
    const tx = handle.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      reached();
      await resume; // checked out and idle: the pool is not listening to it now
      await sql`select 1`.execute(trx);
    });
    const outcome = tx.then(
      () => 'committed',
      (err: Error) => err.message,
    );

    await Promise.race([inside, tx]);
    const cut = await terminate(database);
    expect(cut).toBeGreaterThanOrEqual(1);
    await waitFor(() => errors.length >= cut, 'the error listener');
    proceed();
    expect(await outcome).not.toBe('committed');

    const r = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(r.rows).toEqual([{ one: 1 }]);
  });

  it('answers /readyz 503 while the database refuses connections, and 200 once it is back', async () => {
    const app = Fastify({ logger: false });
    await app.register(healthRoutes, { database: handle });
    try {
      expect((await app.inject('/readyz')).statusCode).toBe(200);

      await admin((c) => c.query(`alter database ${database} with allow_connections false`));
      const cut = await terminate(database);
      await waitFor(() => errors.length >= cut, 'the error listener');

      const down = await app.inject('/readyz');
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
      expect((await handle.ping()).ok).toBe(false);

      await admin((c) => c.query(`alter database ${database} with allow_connections true`));
      const up = await app.inject('/readyz');
      expect(up.statusCode).toBe(200);
      expect(up.json()).toEqual({ status: 'ready', database: 'postgres' });
    } finally {
      await admin((c) => c.query(`alter database ${database} with allow_connections true`));
      await app.close();
    }
  });

  it("survives losing the job queue's own connections, and keeps working jobs", async () => {
    const queueErrors: Error[] = [];
    const queue: JobQueue = await startJobQueue(handle, (err) => queueErrors.push(err), { schedule: false });
    try {
      await queue.createQueue('connection-loss');
      const done: string[] = [];
      await queue.work<{ n: string }>('connection-loss', { pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) done.push(job.data.n);
      });
      await queue.send('connection-loss', { n: 'before' });
      await waitFor(() => done.includes('before'), 'the first job');

      const cut = await terminate(database, 'pgboss');
      expect(cut).toBeGreaterThanOrEqual(1);
      await waitFor(() => queueErrors.length >= cut, "the queue's error listener");

      // A query may land on a connection still closing and fail once; retried as a caller would.
      let sent = false;
      for (let i = 0; i < 3 && !sent; i++) {
        sent = await queue.send('connection-loss', { n: 'after' }).then(
          () => true,
          () => false,
        );
      }
      expect(sent).toBe(true);
      await waitFor(() => done.includes('after'), 'a job after the connections were cut', 10_000);
    } finally {
      await stopJobQueue(queue, 2_000);
    }
  });
});
