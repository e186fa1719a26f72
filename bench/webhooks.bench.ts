import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { issueSession, sessionKey } from '../server/auth/session';
import { parseConfig } from '../server/config';
import { migrateToLatest } from '../server/db/migrate';
import type { RunningSandbox } from '../server/sandbox';
import { createServices } from '../server/services';
import { ensureSettings } from '../server/settings/settings.service';
import {
  APP_SECRET,
  AppProcess,
  api,
  control,
  freePort,
  freshStore,
  type RunView,
  round,
  type Store,
  sleep,
  startUnlimitedSandbox,
  UNLIMITED,
  waitForRun,
} from './app-process';
import type { BenchResult } from './run';

/**
 * Webhooks as Procore sends them, with the app in a process of its own (`server/main.ts` with
 * `npm start`'s Node flags, as the sync bench runs it) and the sandbox and the load in this one,
 * on a company of 10,000 users synced first. Per database:
 *  - single edits: a user edited in the sandbox, which POSTs the delivery; the time until the
 *    change is in the app (its entry in the hour's webhook log, which the same transaction as the
 *    worker row writes) — goal p99 ≤ 1 s;
 *  - a burst of 500 edits at once: each edit's time to the app, and when the last one was in —
 *    goal ≤ 20 s on PGlite, ≤ 10 s on PostgreSQL;
 *  - the receiver at 200 deliveries/s for 30 s (open loop: each POST leaves on schedule, answered
 *    or not), each for a different user changed in Procore just before: reply p50/p99 (goal
 *    ≤ 50 ms), deliveries refused or never applied (goal 0), and when the last was applied;
 *  - the receiver at 200 deliveries/s while a full sync of the 10,000 users runs.
 * Each case reports the Procore requests the app made against one read per user, the app's CPU
 * time and peak RSS (VmHWM, reset before the case) and the rows it wrote: deliveries, log entries
 * and worker rows (not the job queue's). BENCH_WEBHOOK_SECONDS shortens the 30 s;
 * BENCH_WEBHOOK_BACKENDS=pglite (or postgres) runs one database.
 */
const ACME = '4280001';
const USERS = 10_000;
const RATE = 200;
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 30);
const SINGLE_EDITS = 20;
const BURST = 500;
/** How long a case waits for its changes before it reports what arrived (never aborts). */
const APPLY_DEADLINE_MS = 5 * 60_000;
const AUTHOR = '8150001';

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
};

type Measure = {
  requests: number;
  floor: number;
  cpu_s: number;
  peak_rss_mb: number;
  rows: number;
};

/** The app's CPU, peak RSS and Procore requests from `start` on. */
function caseMeter(app: AppProcess, sandbox: RunningSandbox) {
  sandbox.handle.state.requests = [];
  app.resetPeak();
  const cpu0 = app.cpuSeconds();
  return (floor: number, rows: number): Measure => ({
    requests: sandbox.handle.state.requests.filter((r) => r.path.startsWith('/rest/')).length,
    floor,
    cpu_s: round(app.cpuSeconds() - cpu0),
    peak_rss_mb: Math.round(app.statusMb('VmHWM')),
    rows,
  });
}

/**
 * When each Procore user's change reached the app: the entries the hour's webhook runs gain, read
 * incrementally (each poll asks only for entries after the last one seen).
 */
class AppliedWatch {
  readonly seenAt = new Map<string, number>();
  readonly #cursors = new Map<string, string | undefined>();
  #stopped = false;
  #loop: Promise<void> | null = null;

  constructor(
    private readonly app: AppProcess,
    private readonly token: string,
  ) {}

  /** Entries already there count as seen before anything starts. */
  async prime(): Promise<void> {
    await this.poll(Number.NEGATIVE_INFINITY);
  }

  start(intervalMs: number): void {
    this.#stopped = false;
    this.#loop = (async () => {
      while (!this.#stopped) {
        await this.poll(performance.now());
        await sleep(intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  async poll(at: number): Promise<void> {
    const { runs } = await api<{ runs: Array<{ id: string }> }>(
      this.app,
      this.token,
      `/companies/${ACME}/syncs?trigger=webhook&limit=3`,
    );
    for (const run of runs) {
      for (;;) {
        const cursor = this.#cursors.get(run.id);
        const { entries } = await api<{ entries: Array<{ id: string; procoreUserId: string }> }>(
          this.app,
          this.token,
          `/companies/${ACME}/syncs/${run.id}/entries?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        );
        for (const e of entries) if (!this.seenAt.has(e.procoreUserId)) this.seenAt.set(e.procoreUserId, at);
        if (entries.length > 0) this.#cursors.set(run.id, entries.at(-1)!.id);
        if (entries.length < 500) break;
      }
    }
  }

  /** Waits until every one of `users` was seen, or the deadline; answers how many were. */
  async waitFor(users: readonly string[], deadlineMs = APPLY_DEADLINE_MS): Promise<number> {
    const until = performance.now() + deadlineMs;
    for (;;) {
      const seen = users.filter((u) => this.seenAt.has(u)).length;
      if (seen === users.length || performance.now() > until) return seen;
      await sleep(50);
    }
  }
}

/** Changes a user in the sandbox without a webhook: the bench sends the delivery itself. */
function changeSilently(sandbox: RunningSandbox, userId: string, firstName: string): void {
  const state = sandbox.handle.state;
  const company = state.companies.get(Number(ACME))!;
  const user = company.users.get(Number(userId))!;
  user.first_name = firstName;
  user.updated_at = Math.max(state.now(), user.updated_at + 1);
  state.touch(company);
}

/**
 * The load generator, in a thread of its own: POSTs each body at RATE per second (open loop: each
 * leaves on schedule, answered or not) until it has sent them all or is told to stop, and times
 * each reply. On this process's own event loop the sandbox (serving the app's reads) would delay
 * the replies' handling, and the measurement with it.
 */
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, secret, bodies, rate } = workerData;
let stop = false;
parentPort.on('message', (m) => { if (m === 'stop') stop = true; });
(async () => {
  const replies = [];
  const refused = [];
  const inflight = [];
  const start = performance.now();
  let sent = 0;
  for (let i = 0; i < bodies.length && !stop; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (stop) break;
    sent++;
    const body = bodies[i];
    inflight.push((async () => {
      const t0 = performance.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: secret },
          body,
        });
        await res.arrayBuffer();
        replies.push(performance.now() - t0);
        if (res.status !== 202) refused.push(String(res.status));
      } catch (err) {
        refused.push(String(err));
      }
    })());
  }
  await Promise.all(inflight);
  parentPort.postMessage({ replies, refused, sent });
})();
`;

interface Sent {
  replies: number[];
  refused: string[];
  /** The users whose deliveries went out. */
  sent: string[];
  startedAt: number;
}

/** Deliveries for `users` at RATE per second; `stop` ends them early. */
function deliverAtRate(
  appUrl: string,
  secret: string,
  users: readonly string[],
  keyPrefix: string,
): { done: Promise<Sent>; stop: () => void } {
  const bodies = users.map((userId, i) =>
    JSON.stringify({
      id: `${keyPrefix}${String(i).padStart(26 - keyPrefix.length, '0')}`,
      timestamp: new Date().toISOString(),
      reason: 'update',
      company_id: ACME,
      project_id: null,
      user_id: AUTHOR,
      resource_type: 'Company Users',
      resource_id: userId,
    }),
  );
  const startedAt = performance.now();
  const worker = new Worker(SENDER, {
    eval: true,
    workerData: { url: `${appUrl}/webhooks/procore`, secret, bodies, rate: RATE },
  });
  const done = new Promise<Sent>((resolve, reject) => {
    worker.once('message', (m: { replies: number[]; refused: string[]; sent: number }) => {
      resolve({ replies: m.replies, refused: m.refused, sent: users.slice(0, m.sent), startedAt });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  return { done, stop: () => worker.postMessage('stop') };
}

/** A fresh store with the company, its settings and its hook (pointing at `appUrl`) registered. */
async function prepare(store: Store, sandbox: RunningSandbox, appUrl: string): Promise<void> {
  const database = await store.open();
  try {
    await migrateToLatest(database.db);
    const summary = await control<{ name: string; service_account_user_id: number }>(
      sandbox,
      `/_sandbox/companies/${ACME}`,
    );
    await database.db
      .insertInto('companies')
      .values({
        id: ACME,
        name: summary.name,
        service_account_user_id: String(summary.service_account_user_id),
      })
      .execute();
    await ensureSettings(database.db, ACME);
    const config = parseConfig({
      LOG_LEVEL: 'silent',
      APP_SECRET,
      DATA_DIR: '/nonexistent-bench-dir',
      PUBLIC_URL: appUrl,
      PROCORE_CLIENT_ID: 'sandbox-client',
      PROCORE_CLIENT_SECRET: 'sandbox-secret',
      PROCORE_LOGIN_URL: sandbox.url,
      PROCORE_API_URL: sandbox.url,
    });
    const services = await createServices(config, database, {
      log: pino({ level: 'silent' }),
      schedule: false,
    });
    try {
      await services.hooks.register(ACME);
    } finally {
      await services.close();
    }
  } finally {
    await database.close();
  }
}

/** The synced workers' Procore users, from the app's worker list. */
async function syncedUsers(app: AppProcess, token: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { workers: Array<{ procoreUserId: string | null }>; nextCursor: string | null } = await api(
      app,
      token,
      `/companies/${ACME}/workers?active=true&source=procore_user&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    for (const w of page.workers)
      if (w.procoreUserId && w.procoreUserId !== AUTHOR) ids.push(w.procoreUserId);
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

async function benchBackend(kind: 'pglite' | 'postgres', sandbox: RunningSandbox): Promise<BenchResult[]> {
  const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const tag = kind === 'pglite' ? 'L' : 'P';
  const rows: BenchResult[] = [];
  const report = (name: string, value: number, unit: string, goal?: string, details?: Measure) => {
    const row: BenchResult = {
      name: `webhooks [${label}]: ${name}`,
      value: round(value),
      unit,
      goal,
      details,
    };
    console.error(`  ${row.name}: ${row.value} ${unit}${details ? ` ${JSON.stringify(details)}` : ''}`);
    rows.push(row);
  };

  await control(sandbox, '/_sandbox/reset', 'POST', { users: USERS, seed: 42, settings: UNLIMITED });
  const store = await freshStore(kind);
  const port = await freePort();
  await prepare(store, sandbox, `http://127.0.0.1:${port}`);
  const app = await AppProcess.start(store, sandbox.url, {}, port);
  try {
    const { token } = await issueSession(sessionKey(APP_SECRET), {
      companyId: ACME,
      procoreUserId: AUTHOR,
      userName: 'Bench Admin',
      isAdmin: true,
    });
    const fullSync = async () => {
      const { run } = await api<{ run: RunView }>(app, token, `/companies/${ACME}/syncs`, 'POST');
      return run;
    };
    const finished = (id: string) =>
      waitForRun(
        app,
        async () => (await api<{ run: RunView }>(app, token, `/companies/${ACME}/syncs/${id}`)).run,
      );
    await finished((await fullSync()).id);
    const users = await syncedUsers(app, token);
    const hook = [...(sandbox.handle.state.companies.get(Number(ACME))?.hooks.values() ?? [])][0];
    const secret = hook?.authorization ?? '';
    const watch = new AppliedWatch(app, token);
    await watch.prime();
    let next = 0;
    const take = (n: number) => {
      next += n;
      return users.slice(next - n, next);
    };

    // 1. Single edits, one at a time on a settled app.
    {
      const edited = take(SINGLE_EDITS);
      const meter = caseMeter(app, sandbox);
      const latencies: number[] = [];
      for (const [i, userId] of edited.entries()) {
        const t0 = performance.now();
        await control(sandbox, `/_sandbox/companies/${ACME}/users/${userId}`, 'PATCH', {
          first_name: `Single${tag}${i}`,
        });
        const until = t0 + 30_000;
        while (!watch.seenAt.has(userId) && performance.now() < until) {
          await watch.poll(performance.now());
          if (!watch.seenAt.has(userId)) await sleep(5);
        }
        if (watch.seenAt.has(userId)) latencies.push(watch.seenAt.get(userId)! - t0);
        await sleep(200);
      }
      const m = meter(edited.length, latencies.length * 3);
      report(`single edit → app (${edited.length} edits), p50`, quantile(latencies, 0.5), 'ms');
      report(`single edit → app (${edited.length} edits), p99`, quantile(latencies, 0.99), 'ms', '≤ 1000', m);
      if (latencies.length < edited.length)
        report('single edits not applied within 30 s', edited.length - latencies.length, 'count', '= 0');
    }

    // 2. A burst of 500 edits made in Procore at once.
    {
      const edited = take(BURST);
      const meter = caseMeter(app, sandbox);
      watch.start(50);
      const t0 = new Map<string, number>();
      const burstStart = performance.now();
      let i = 0;
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          while (i < edited.length) {
            const n = i++;
            const userId = edited[n]!;
            t0.set(userId, performance.now());
            await control(sandbox, `/_sandbox/companies/${ACME}/users/${userId}`, 'PATCH', {
              first_name: `Burst${tag}${n}`,
            });
          }
        }),
      );
      const sentAfter = performance.now() - burstStart;
      const applied = await watch.waitFor(edited);
      await watch.stop();
      const latencies = edited.flatMap((u) =>
        watch.seenAt.has(u) ? [watch.seenAt.get(u)! - t0.get(u)!] : [],
      );
      const last = Math.max(...edited.map((u) => watch.seenAt.get(u) ?? Number.NaN)) - burstStart;
      const m = meter(edited.length, applied * 3);
      report(`burst of ${BURST} edits → app, p50`, quantile(latencies, 0.5), 'ms');
      report(`burst of ${BURST} edits → app, p99`, quantile(latencies, 0.99), 'ms');
      report(
        `burst of ${BURST} edits: all applied after`,
        applied === edited.length ? last / 1000 : Number.NaN,
        's',
        kind === 'pglite' ? '≤ 20' : '≤ 10',
        m,
      );
      report(`burst of ${BURST} edits: all made in the sandbox after`, sentAfter / 1000, 's');
      if (applied < edited.length)
        report(
          `burst edits not applied within ${APPLY_DEADLINE_MS / 60_000} min`,
          edited.length - applied,
          'count',
          '= 0',
        );
    }

    // 3. The receiver at 200 deliveries/s for 30 s, each for a user changed in Procore just before.
    {
      const targets = take(RATE * SECONDS);
      // Each user changes in Procore before its delivery: the app finds a change to apply.
      for (const [i, userId] of targets.entries()) changeSilently(sandbox, userId, `Recv${tag}${i}`);
      const meter = caseMeter(app, sandbox);
      watch.start(250);
      const r = await deliverAtRate(app.url, secret, targets, `01JDBENCHA${tag}`).done;
      const applied = await watch.waitFor(r.sent);
      await watch.stop();
      const last = Math.max(...r.sent.map((u) => watch.seenAt.get(u) ?? Number.NaN)) - r.startedAt;
      const m = meter(r.sent.length, r.sent.length + applied * 2);
      const name = `receiver at ${RATE}/s × ${SECONDS} s`;
      report(`${name}, reply p50`, quantile(r.replies, 0.5), 'ms');
      report(`${name}, reply p99`, quantile(r.replies, 0.99), 'ms', '≤ 50', m);
      report(
        `${name}: refused, or not applied within 5 min (of ${r.sent.length})`,
        r.refused.length + r.sent.length - applied,
        'count',
        '= 0',
      );
      report(
        `${name}: all ${r.sent.length} applied after`,
        applied === r.sent.length ? last / 1000 : Number.NaN,
        's',
      );
    }

    // 4. The receiver at 200 deliveries/s while a full sync of every user runs.
    {
      const meter = caseMeter(app, sandbox);
      const run = await fullSync();
      const sending = deliverAtRate(app.url, secret, users, `01JDBENCHS${tag}`);
      const synced = await finished(run.id);
      sending.stop();
      const r = await sending.done;
      const wallS = (Date.parse(synced.finishedAt!) - Date.parse(synced.startedAt!)) / 1000;
      const m = meter(USERS, r.sent.length);
      const name = `receiver at ${RATE}/s during a full sync of ${USERS} users (${round(wallS)} s)`;
      report(`${name}, reply p50`, quantile(r.replies, 0.5), 'ms');
      report(`${name}, reply p99`, quantile(r.replies, 0.99), 'ms', '≤ 50', m);
      report(`${name}: refused (of ${r.sent.length})`, r.refused.length, 'count', '= 0');
    }
  } finally {
    await app.stop();
    await store.drop();
  }
  return rows;
}

export async function run(): Promise<BenchResult[]> {
  const sandbox = await startUnlimitedSandbox();
  try {
    const only = process.env.BENCH_WEBHOOK_BACKENDS;
    const rows = only === 'postgres' ? [] : await benchBackend('pglite', sandbox);
    if (process.env.BENCH_DATABASE_URL && only !== 'pglite')
      rows.push(...(await benchBackend('postgres', sandbox)));
    return rows;
  } finally {
    await sandbox.close();
  }
}
