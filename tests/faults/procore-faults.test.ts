import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/connect';
import { listAllEntries } from '../../server/runs/runs.service';
import { buildTestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { freshDatabase } from '../helpers/db';
import { ACME, connectAs, startTestSandbox } from '../helpers/sandbox';

/**
 * Procore misbehaving during a full sync of Acme's seed (about 250 users, every awkward case):
 * each run completes, or ends with a reason, and every user it saw has exactly one entry; once
 * Procore is well again a sync leaves exactly the workers an undisturbed sync makes.
 */
type Sandbox = Awaited<ReturnType<typeof startTestSandbox>>;

const PROFILES: Array<{ name: string; apply(sandbox: Sandbox): Promise<unknown> }> = [
  {
    name: '30% of requests answer 500',
    apply: (s) => s.control('/_sandbox/faults', { body: { kind: 'error', status: 500, share: 0.3 } }),
  },
  {
    name: '503 with Retry-After',
    apply: (s) =>
      s.control('/_sandbox/faults', {
        body: { kind: 'error', status: 503, retry_after: 1, share: 0.5, times: 30 },
      }),
  },
  {
    name: 'dropped connections',
    apply: (s) => s.control('/_sandbox/faults', { body: { kind: 'drop', share: 0.2 } }),
  },
  {
    name: 'slow answers',
    apply: (s) => s.control('/_sandbox/faults', { body: { kind: 'latency', latency_ms: 1500, share: 0.3 } }),
  },
  {
    name: 'a 429 storm',
    apply: (s) =>
      s.control('/_sandbox/settings', {
        method: 'PATCH',
        body: { rateLimit: { spike: 8, spikeWindowSeconds: 2 }, retryAfterOn429: true },
      }),
  },
];

interface Workers {
  rows: Array<Record<string, unknown>>;
}

async function syncOnce(app: Awaited<ReturnType<typeof buildTestApp>>, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  const asked = await app.inject({
    method: 'POST',
    url: `/api/companies/${ACME}/syncs`,
    headers: auth,
    payload: {},
  });
  const id = asked.json().run.id as string;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const run = (await app.inject({ url: `/api/companies/${ACME}/syncs/${id}`, headers: auth })).json().run;
    if (!['queued', 'running'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not end`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const workersOf = async (database: DatabaseHandle): Promise<Workers> => ({
  rows: await database.db
    .selectFrom('workers')
    .select(['procore_user_id', 'first_name', 'last_name', 'email', 'phone', 'payroll_id', 'active'])
    .where('company_id', '=', ACME)
    .orderBy('procore_user_id')
    .execute(),
});

describe('Procore faults during a sync [pglite]', () => {
  let reference: Workers;
  const opened: Array<() => Promise<unknown>> = [];

  async function stack() {
    const sandbox = await startTestSandbox();
    const database = await freshDatabase('pglite');
    const app = await buildTestApp(database, {
      config: testConfig({ PROCORE_LOGIN_URL: sandbox.url, PROCORE_API_URL: sandbox.url }),
      jobs: true,
    });
    opened.push(
      () => app.close(),
      () => database.close(),
      () => sandbox.close(),
    );
    const { token } = await connectAs(app, sandbox, { search: 'dana' });
    return { sandbox, database, app, token: token! };
  }

  beforeAll(async () => {
    const clean = await stack();
    const run = await syncOnce(clean.app, clean.token);
    expect(run.status).toMatch(/succeeded|partial/);
    reference = await workersOf(clean.database);
  }, 600_000);
  afterAll(async () => {
    for (const close of opened.reverse()) await close().catch(() => {});
  });

  for (const profile of PROFILES) {
    it(`${profile.name}: the run ends with a reason per user or for itself, nothing half-written`, async () => {
      const s = await stack();
      await profile.apply(s.sandbox);
      const run = await syncOnce(s.app, s.token);
      // Every user the run saw has exactly one entry; a failed run says why.
      const entries = await listAllEntries(s.database.db, ACME, run.id);
      expect(new Set(entries.map((e) => e.procore_user_id)).size).toBe(entries.length);
      expect(entries.length).toBe(run.progress.seen);
      for (const e of entries.filter((x) => x.action === 'skipped' || x.action === 'failed')) {
        expect(e.reason, `${e.procore_user_id}`).toBeTruthy();
      }
      if (run.status === 'failed') expect(run.statusReason).toBeTruthy();
      else expect(run.status).toMatch(/succeeded|partial/);
      // Every worker row written is whole: it matches Procore's user as an undisturbed sync wrote it.
      const byId = new Map(reference.rows.map((w) => [w.procore_user_id, w]));
      for (const w of (await workersOf(s.database)).rows) expect(w).toEqual(byId.get(w.procore_user_id));

      // Procore well again: the next run leaves exactly the undisturbed sync's workers.
      await s.sandbox.control('/_sandbox/faults', { method: 'DELETE' });
      await s.sandbox.control('/_sandbox/settings', {
        method: 'PATCH',
        body: { rateLimit: { spike: 100, spikeWindowSeconds: 10 }, retryAfterOn429: false },
      });
      await s.sandbox.control('/_sandbox/rate-limits', { method: 'DELETE' });
      const again = await syncOnce(s.app, s.token);
      expect(again.status).toMatch(/succeeded|partial/);
      expect(await workersOf(s.database)).toEqual(reference);
      console.log(
        `[faults] Procore ${profile.name}: first run ${run.status} (${run.progress.seen} users seen); 0 lost`,
      );
    }, 900_000);
  }
});
