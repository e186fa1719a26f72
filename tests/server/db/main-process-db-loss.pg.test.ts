import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import { freshDatabase } from '../../helpers/db';
import { freePort, type Started, startServerProcess, waitForHttp } from '../../helpers/process';

/**
 * The real entry point on PostgreSQL, as an operator runs it, while every one of its database
 * connections is cut (a PostgreSQL restart or failover looks like this to the app). It must stay
 * up and be ready again without a restart of its own.
 */
const url = process.env.TEST_DATABASE_URL;

describe('server/main.ts losing its database connections', () => {
  let handle: DatabaseHandle;
  let database: string;
  let server: Started | undefined;

  beforeAll(async () => {
    handle = await freshDatabase('postgres');
    handle.onError(() => {}); // this test's own connections are cut too
    database = (await sql<{ db: string }>`select current_database() as db`.execute(handle.db)).rows[0]!.db;
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await handle?.close();
  });

  it('keeps running, logs the error, and answers /readyz again', async () => {
    const [port, sandboxPort] = await Promise.all([freePort(), freePort()]);
    server = startServerProcess({
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      DATABASE_URL: handle.connectionString!,
    });
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 40_000);

    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let cut: number;
    try {
      const r = await admin.query(
        `select pg_terminate_backend(pid) as done from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid()`,
        [database],
      );
      cut = r.rows.filter((row) => row.done).length;
    } finally {
      await admin.end();
    }
    expect(cut).toBeGreaterThanOrEqual(2); // the app's pool and the job queue's

    // Long enough for every cut connection to be noticed (and, before, for the process to die).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).toMatch(/terminating connection due to administrator command/);

    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 10_000);
    const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
    expect(ready).toEqual({ status: 'ready', database: 'postgres' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 90_000);
});
