import pino from 'pino';
import { buildApp } from '../server/app';
import { parseConfig } from '../server/config';
import { type DatabaseHandle, openPglite, openPostgres } from '../server/db/connect';
import { migrateToLatest } from '../server/db/migrate';
import { startJobs } from '../server/jobs/registry';
import { startSandbox } from '../server/sandbox';
import { createServices } from '../server/services';
import { ensureSettings } from '../server/settings/settings.service';
import { freePort, round, scratchDatabase, sleep } from './app-process';
import type { BenchResult } from './run';

/**
 * The receiver's reply time at 200 deliveries/s for 30 s (p99 ≤ 50 ms, none
 * lost), and a sandbox edit → updated worker row (p99 ≤ 2 s), with the whole stack really running
 * (sandbox POSTing, app listening, pg-boss workers reading users back), on PGlite and, when
 * BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on PostgreSQL.
 */
const ACME = '4280001';
const RATE = 200;
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 30);
const EDITS = 40;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
};
async function openBackend(kind: 'pglite' | 'postgres'): Promise<DatabaseHandle> {
  if (kind === 'pglite') return openPglite();
  const scratch = await scratchDatabase((process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)!);
  const handle = await openPostgres(scratch.url);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await sleep(200); // let the pool's sockets close before the forced drop
      await scratch.drop();
    },
  };
}

async function benchBackend(kind: 'pglite' | 'postgres'): Promise<BenchResult[]> {
  const database = await openBackend(kind);
  await migrateToLatest(database.db);
  const sandboxPort = await freePort();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({
    port: sandboxPort,
    appUrl: url,
    logLevel: 'silent',
    settings: { rateLimit: { hourly: 1e9, spike: 1e9 } },
  });
  const config = parseConfig(
    {
      LOG_LEVEL: 'silent',
      DATA_DIR: '/nonexistent-bench-dir',
      PUBLIC_URL: url,
      PROCORE_LOGIN_URL: sandbox.url,
      PROCORE_API_URL: sandbox.url,
    },
    () => 'bench-secret-that-is-long-enough-for-the-app-0123456789',
  );
  const services = await createServices(config, database, {
    log: pino({ level: 'silent' }),
    schedule: false,
  });
  const app = await buildApp(config, services);
  try {
    await app.listen({ port, host: '127.0.0.1' });
    await startJobs(services);
    const summary = (await (await fetch(`${sandbox.url}/_sandbox/companies/${ACME}`)).json()) as {
      name: string;
      service_account_user_id: number;
    };
    await database.db
      .insertInto('companies')
      .values({
        id: ACME,
        name: summary.name,
        service_account_user_id: String(summary.service_account_user_id),
      })
      .execute();
    await ensureSettings(database.db, ACME);
    await services.hooks.register(ACME);
    const hook = [...(sandbox.handle.state.companies.get(Number(ACME))?.hooks.values() ?? [])][0];
    const secret = hook?.authorization ?? '';
    const users = [...(sandbox.handle.state.companies.get(Number(ACME))?.users.keys() ?? [])];

    // 1. The receiver at 200 deliveries/s, open loop: each POST leaves on schedule, answered or not.
    const replies: number[] = [];
    const failures: string[] = [];
    const keys: string[] = [];
    const inflight: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < RATE * SECONDS; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const key = `01JDBENCH${kind === 'pglite' ? 'L' : 'P'}${String(i).padStart(17, '0')}`;
      keys.push(key);
      const body = JSON.stringify({
        id: key,
        timestamp: new Date().toISOString(),
        reason: 'update',
        company_id: ACME,
        project_id: null,
        user_id: '8150001',
        resource_type: 'Company Users',
        resource_id: String(users[i % users.length]),
      });
      inflight.push(
        (async () => {
          const t0 = performance.now();
          const res = await fetch(`${url}/webhooks/procore`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: secret },
            body,
          });
          await res.arrayBuffer();
          replies.push(performance.now() - t0);
          if (res.status !== 202) failures.push(`${res.status}`);
        })().catch((err: unknown) => {
          failures.push(String(err));
        }),
      );
    }
    await Promise.all(inflight);
    const stored = await database.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('company_id', '=', ACME)
      .where('delivery_key', 'in', keys)
      .executeTakeFirstOrThrow();
    const lost = keys.length - Number(stored.n);

    // Let the backlog drain so the edit latency is measured on a settled app; how long that takes
    // is the apply throughput (each delivery above found its user's previous job done: no coalescing).
    const drainStart = performance.now();
    for (;;) {
      const waiting = await database.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('outcome', '=', 'queued')
        .executeTakeFirstOrThrow();
      if (Number(waiting.n) === 0) break;
      if (performance.now() - drainStart > 10 * 60_000)
        throw new Error('the backlog did not drain in 10 min');
      await sleep(100);
    }
    const drainedAfter = (performance.now() - start) / 1000;

    // 2. Sandbox edit → the worker row shows it (the sandbox POSTs; the job reads the user back).
    const editable = await database.db
      .selectFrom('workers')
      .select('procore_user_id')
      .where('company_id', '=', ACME)
      .where('active', '=', true)
      .limit(EDITS)
      .execute();
    const edits: number[] = [];
    for (const [n, w] of editable.entries()) {
      const name = `Edited${n}x${kind}`;
      const t0 = performance.now();
      const res = await fetch(`${sandbox.url}/_sandbox/companies/${ACME}/users/${w.procore_user_id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ first_name: name }),
      });
      if (!res.ok) throw new Error(`sandbox edit answered ${res.status}`);
      for (;;) {
        const row = await database.db
          .selectFrom('workers')
          .select('first_name')
          .where('company_id', '=', ACME)
          .where('procore_user_id', '=', w.procore_user_id)
          .executeTakeFirst();
        if (row?.first_name === name) break;
        if (performance.now() - t0 > 30_000) throw new Error('an edit did not arrive within 30 s');
        await sleep(5);
      }
      edits.push(performance.now() - t0);
      await sleep(100);
    }

    const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
    return [
      {
        name: `webhooks [${label}]: receiver reply at ${RATE}/s × ${SECONDS} s, p50`,
        value: round(quantile(replies, 0.5)),
        unit: 'ms',
      },
      {
        name: `webhooks [${label}]: receiver reply at ${RATE}/s × ${SECONDS} s, p99`,
        value: round(quantile(replies, 0.99)),
        unit: 'ms',
        goal: '≤ 50',
      },
      {
        name: `webhooks [${label}]: deliveries lost or refused (of ${keys.length})`,
        value: lost + failures.length,
        unit: 'count',
        goal: '= 0',
      },
      {
        name: `webhooks [${label}]: all ${keys.length} deliveries applied after`,
        value: round(drainedAfter),
        unit: 's',
      },
      {
        name: `webhooks [${label}]: sandbox edit → worker row (${edits.length} edits), p50`,
        value: round(quantile(edits, 0.5)),
        unit: 'ms',
      },
      {
        name: `webhooks [${label}]: sandbox edit → worker row (${edits.length} edits), p99`,
        value: round(quantile(edits, 0.99)),
        unit: 'ms',
        goal: '≤ 2000',
      },
    ];
  } finally {
    await app.close();
    await sandbox.close();
    await database.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const rows = await benchBackend('pglite');
  if (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)
    rows.push(...(await benchBackend('postgres')));
  return rows;
}
