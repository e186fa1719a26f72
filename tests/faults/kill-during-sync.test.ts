import { randomInt } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../server/db/connect';
import { INTERRUPTED_REASON } from '../../server/procore/failure-policy';
import { withDatabase } from '../helpers/global-setup';
import { ACME } from '../helpers/sandbox';
import {
  type AppSite,
  api,
  appSite,
  connectOverHttp,
  type FaultSandbox,
  faultSandbox,
  killApp,
  pgliteWorkers,
  startApp,
  tempDir,
  until,
  type WorkerState,
} from './stack';

/**
 * SIGKILL of the app process at random points of a full sync: after each restart the interrupted
 * run is failed with its reason before /readyz answers, the next run completes, and the workers
 * equal those of a run nobody interrupted. Counts are reported for README's Reliability table.
 */
const KILLS = 10;

interface Backend {
  name: string;
  users: number;
  site(
    sandbox: FaultSandbox,
    label: string,
  ): Promise<AppSite & { workers(): Promise<WorkerState[]>; drop(): Promise<void> }>;
}

const pgliteBackend: Backend = {
  name: 'pglite',
  users: 2_000,
  async site(sandbox, label) {
    const dir = tempDir(`pws-fault-${label}-`);
    const site = await appSite(sandbox, { dataDir: dir.dir });
    return { ...site, workers: () => pgliteWorkers(dir.dir), drop: async () => dir.remove() };
  },
};

const postgresBackend: Backend = {
  name: 'postgres',
  users: 500,
  async site(sandbox, label) {
    const url = process.env.TEST_DATABASE_URL!;
    const name = `pws_fault_${label}_${randomInt(1e9)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const databaseUrl = withDatabase(url, name);
    const site = await appSite(sandbox, { databaseUrl });
    return {
      ...site,
      workers: async () => {
        const handle = await openPostgres(databaseUrl, 1);
        try {
          return await handle.db
            .selectFrom('workers')
            .select(['procore_user_id', 'first_name', 'last_name', 'email', 'phone', 'payroll_id', 'active'])
            .where('company_id', '=', ACME)
            .orderBy('procore_user_id')
            .execute();
        } finally {
          await handle.close();
        }
      },
      drop: async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  },
};

const BACKENDS = process.env.TEST_DATABASE_URL ? [pgliteBackend, postgresBackend] : [pgliteBackend];

for (const backend of BACKENDS) {
  describe(`SIGKILL during a full sync [${backend.name}]`, () => {
    const cleanup: Array<() => Promise<unknown>> = [];
    afterAll(async () => {
      for (const c of cleanup.reverse()) await c().catch(() => {});
    });

    it(`${KILLS} kills at random points of a ${backend.users}-user sync lose nothing`, async () => {
      const sandbox = await faultSandbox(backend.users);
      cleanup.push(() => sandbox.close());

      // The reference: the same directory synced once, uninterrupted, by a process of its own.
      const clean = await backend.site(sandbox, 'clean');
      cleanup.push(clean.drop);
      let app = await startApp(clean);
      const cleanToken = await connectOverHttp(clean.url, sandbox);
      const cleanApi = api(clean.url, cleanToken);
      const cleanStarted = Date.now();
      const cleanRun = await cleanApi.finished((await cleanApi.sync()).body.run.id);
      // Kill points are drawn over the time a whole sync takes (pages make progress jump).
      const syncMs = Date.now() - cleanStarted;
      expect(cleanRun.status).toMatch(/succeeded|partial/);
      expect(await killApp(app, 'SIGTERM')).toBe(0);
      const expected = await clean.workers();
      expect(expected.length).toBeGreaterThan(backend.users * 0.9);

      const site = await backend.site(sandbox, 'killed');
      cleanup.push(site.drop);
      app = await startApp(site);
      cleanup.push(() => killApp(app));
      const token = await connectOverHttp(site.url, sandbox);
      const client = api(site.url, token);

      const killedMidRun: Array<{ seen: number; readyAfterMs: number }> = [];
      for (let attempt = 0; killedMidRun.length < KILLS && attempt < KILLS * 3; attempt++) {
        const asked = await client.sync();
        // Never the dead run of the previous process: a new run each time.
        expect(asked.status).toBe(202);
        const runId = asked.body.run.id;
        const killAt = Date.now() + randomInt(Math.floor(syncMs * 0.05), Math.floor(syncMs * 0.9));
        await until(async () => Date.now() >= killAt, 'the kill point', syncMs + 1_000);
        const before = await client.run(runId);
        await killApp(app, 'SIGKILL');
        app = await startApp(site);
        // /readyz answered: a run the kill interrupted is already failed, with its reason; one that
        // had ended just before the kill stays as it ended.
        let after = await client.run(runId);
        // Killed before it was claimed: its job survives, and the new process works it.
        if (['queued', 'running'].includes(after.status)) {
          expect(after.status).toBe('queued');
          after = await client.finished(runId);
        }
        if (after.status === 'failed') {
          expect(after.statusReason).toBe(INTERRUPTED_REASON);
          killedMidRun.push({ seen: before.progress.seen, readyAfterMs: app.readyAfterMs });
        } else {
          expect(after.status).toMatch(/succeeded|partial/);
        }
      }
      expect(killedMidRun.length).toBeGreaterThanOrEqual(KILLS);

      const last = await client.finished((await client.sync()).body.run.id);
      expect(last.status).toMatch(/succeeded|partial/);
      expect(await killApp(app, 'SIGTERM')).toBe(0);
      expect(await site.workers()).toEqual(expected);
      console.log(
        `[faults] ${backend.name}: ${killedMidRun.length} SIGKILLs mid-sync (users seen: ${killedMidRun
          .map((k) => k.seen)
          .join(', ')}); 0 workers lost or duplicated`,
      );
    }, 1_500_000);
  });
}
