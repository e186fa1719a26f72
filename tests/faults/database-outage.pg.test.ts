import { randomInt } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../helpers/global-setup';
import { freePort } from '../helpers/process';
import { api, appSite, connectOverHttp, faultSandbox, killApp, startApp, until } from './stack';

/**
 * The app's PostgreSQL goes away during a full sync, in the two ways production sees: every
 * connection terminated by the server (`pg_terminate_backend`, as an admin or a failover does), and
 * the server restarting (every connection dropped, new ones refused for a few seconds, played by a
 * TCP proxy in front of the real server). The process lives, says so in its log and on /readyz,
 * comes back by itself, the interrupted run ends with a reason, and the next run completes.
 */

/** A TCP proxy to PostgreSQL that can "restart": drop every connection and refuse new ones. */
async function restartableProxy(target: URL) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = createConnection(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen();
  return {
    port,
    /** Down for `downMs`: every open connection cut, new ones refused; then up again. */
    async restart(downMs: number) {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await new Promise((r) => setTimeout(r, downMs));
      await listen();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

describe('PostgreSQL lost during a sync', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  async function newDatabase() {
    const url = process.env.TEST_DATABASE_URL!;
    const name = `pws_fault_db_${randomInt(1e9)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    cleanup.push(async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    return { url: withDatabase(url, name), name, admin };
  }

  it('every connection terminated three times: the process lives, reports it, and the next run completes', async () => {
    const database = await newDatabase();
    const sandbox = await faultSandbox(1_500);
    cleanup.push(() => sandbox.close());
    const site = await appSite(sandbox, { databaseUrl: database.url });
    const app = await startApp(site);
    cleanup.push(() => killApp(app));
    const client = api(site.url, await connectOverHttp(site.url, sandbox));

    const runId = (await client.sync()).body.run.id;
    await until(async () => (await client.run(runId)).status === 'running', 'the run to start');
    let terminated = 0;
    for (let round = 0; round < 3; round++) {
      const { rows } = await database.admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database.name],
      );
      terminated += rows.length;
      await until(async () => (await fetch(`${site.url}/readyz`)).ok, 'the app to be ready again', 60_000);
    }
    expect(terminated).toBeGreaterThan(0);
    const interrupted = await client.finished(runId, 300_000);
    if (interrupted.status === 'failed') expect(interrupted.statusReason).toBeTruthy();
    expect(app.proc.child.exitCode).toBeNull();
    expect(app.proc.output()).toMatch(/connection/i);

    const next = await client.finished((await client.sync()).body.run.id, 300_000);
    expect(next.status).toMatch(/succeeded|partial/);
    expect(app.proc.child.exitCode).toBeNull();
    console.log(
      `[faults] pg_terminate_backend x3: ${terminated} connections ended; the run ${interrupted.status}, the next ${next.status}; process up`,
    );
  }, 900_000);

  it('the server restarts mid-run (down 5 s): /readyz says so, the process lives, and the next run completes', async () => {
    const database = await newDatabase();
    const proxy = await restartableProxy(new URL(database.url));
    cleanup.push(() => proxy.close());
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const sandbox = await faultSandbox(1_500);
    cleanup.push(() => sandbox.close());
    const site = await appSite(sandbox, { databaseUrl: viaProxy.toString() });
    const app = await startApp(site);
    cleanup.push(() => killApp(app));
    const client = api(site.url, await connectOverHttp(site.url, sandbox));

    const runId = (await client.sync()).body.run.id;
    await until(async () => (await client.run(runId)).status === 'running', 'the run to start');
    const readiness: number[] = [];
    const restarting = proxy.restart(5_000);
    // While the server is down, /readyz answers, and says it is not ready.
    await until(
      async () => {
        const res = await fetch(`${site.url}/readyz`);
        readiness.push(res.status);
        return res.status === 503;
      },
      '/readyz to report the database lost',
      10_000,
      200,
    );
    await restarting;
    await until(async () => (await fetch(`${site.url}/readyz`)).ok, 'the app to be ready again', 120_000);
    expect(app.proc.child.exitCode).toBeNull();

    const interrupted = await client.finished(runId, 300_000);
    if (interrupted.status === 'failed') expect(interrupted.statusReason).toBeTruthy();
    const next = await client.finished((await client.sync()).body.run.id, 300_000);
    expect(next.status).toMatch(/succeeded|partial/);
    expect(app.proc.child.exitCode).toBeNull();
    console.log(
      `[faults] PostgreSQL down 5 s mid-run: /readyz ${[...new Set(readiness)].join('→')}; the run ${interrupted.status}, the next ${next.status}; process up`,
    );
  }, 900_000);
});
