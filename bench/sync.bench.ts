import { sql } from 'kysely';
import { issueSession, sessionKey } from '../server/auth/session';
import type { RunningSandbox } from '../server/sandbox';
import {
  APP_SECRET,
  AppProcess,
  api,
  control,
  freshStore,
  procoreRequests,
  type RunView,
  round,
  rowsWrittenBy,
  type Store,
  sleep,
  startUnlimitedSandbox,
  UNLIMITED,
  waitForRun,
} from './app-process';
import { registerSandboxCompany, sandboxCompany } from './companies';
import type { BenchResult } from './run';

/**
 * The user sync as an admin meets it: `server/main.ts` in a child process (so its CPU time and
 * peak RSS are the app's alone), talking HTTP to a sandbox started here, with a session minted
 * from the app's secret. Per case: wall time (the run's own started → finished), Procore
 * requests the sandbox answered against the fewest the run could make, the app process's CPU
 * time and peak RSS during the case (VmHWM, reset before each case), and rows written, read from
 * the database after the run (`rowsWrittenBy`). PGlite always; PostgreSQL when
 * BENCH_DATABASE_URL is set. BENCH_SYNC_SIZES (e.g. "1000,10000") narrows the sizes.
 */

const ACME = '4280001';
const PER_PAGE = 1000; // server/procore/pagination.ts DEFAULT_PER_PAGE
const SIZES = (process.env.BENCH_SYNC_SIZES ?? '1000,10000,50000').split(',').map(Number);

interface CaseResult {
  runId: string;
  wallS: number;
  requests: number;
  floor: number;
  cpuS: number;
  peakRssMb: number;
  rowsWritten: number;
  status: string;
}

/** Measures one run: `start` makes it happen and returns it once it exists. */
async function measure(
  app: AppProcess,
  sandbox: RunningSandbox,
  token: string,
  floor: number,
  start: () => Promise<RunView>,
  /** An app started for this case: its Procore requests and peak RSS count from its start. */
  fromStart = false,
): Promise<CaseResult> {
  if (!fromStart) {
    await control(sandbox, '/_sandbox/requests', 'DELETE');
    app.resetPeak();
  }
  const cpu0 = app.cpuSeconds();
  const started = await start();
  const run = await waitForRun(
    app,
    async () => (await api<{ run: RunView }>(app, token, `/companies/${ACME}/syncs/${started.id}`)).run,
  );
  const cpuS = app.cpuSeconds() - cpu0;
  return {
    runId: run.id,
    wallS: (Date.parse(run.finishedAt!) - Date.parse(run.startedAt!)) / 1000,
    requests: await procoreRequests(sandbox),
    floor,
    cpuS: round(cpuS),
    peakRssMb: Math.round(app.statusMb('VmHWM')),
    rowsWritten: 0, // `countRows` reads them from the database
    status: run.status,
  };
}

let sandboxUrl = '';

async function pageFloor(): Promise<number> {
  const s = await sandboxCompany(sandboxUrl, ACME);
  return (
    Math.max(1, Math.ceil(s.active_users / PER_PAGE)) + Math.max(1, Math.ceil(s.inactive_users / PER_PAGE))
  );
}

/** Lets the next autosync tick pick the company: an hourly (incremental) run, as in production. */
async function armAutosync(store: Store): Promise<void> {
  const database = await store.open();
  try {
    await database.db
      .updateTable('company_settings')
      .set({ autosync: true, autosync_minute: 0 })
      .where('company_id', '=', ACME)
      .execute();
    await sql`update user_sync_state set last_auto_sync_at = null where company_id = ${ACME}`.execute(
      database.db,
    );
  } finally {
    await database.close();
  }
}

async function latestAutoRun(app: AppProcess, token: string, after: string | null) {
  const { runs } = await api<{ runs: Array<RunView & { trigger: string }> }>(
    app,
    token,
    `/companies/${ACME}/syncs`,
  );
  return runs.find((r) => r.trigger === 'auto' && r.id !== after);
}

type Row = BenchResult;

function row(label: string, backend: string, r: CaseResult, goal?: string): Row {
  // Progress on stderr: the whole bench takes minutes, the table comes at the end.
  console.error(`  ${backend} ${label}: ${round(r.wallS)} s ${JSON.stringify(r)}`);
  return {
    name: `sync [${backend}]: ${label}`,
    value: round(r.wallS),
    unit: 's',
    goal,
    details: {
      requests: r.requests,
      floor: r.floor,
      cpu_s: r.cpuS,
      peak_rss_mb: r.peakRssMb,
      rows: r.rowsWritten,
      status: r.status,
    },
  };
}

async function benchBackend(kind: 'pglite' | 'postgres', sandbox: RunningSandbox): Promise<Row[]> {
  const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const rssGoal = kind === 'pglite' ? 300 : 250;
  const key = sessionKey(APP_SECRET);
  const { token } = await issueSession(key, {
    companyId: ACME,
    procoreUserId: '8150001',
    userName: 'Bench Admin',
    isAdmin: true,
  });
  const rows: Row[] = [];
  const fullGoal: Record<number, string> =
    kind === 'pglite' ? { 10000: '≤ 2.5', 50000: '≤ 12' } : { 50000: '≤ 8' };
  const manual = (app: AppProcess) => async () =>
    (await api<{ run: RunView }>(app, token, `/companies/${ACME}/syncs`, 'POST')).run;

  for (const size of SIZES) {
    await control(sandbox, '/_sandbox/reset', 'POST', { users: size, seed: 42, settings: UNLIMITED });
    const floor = await pageFloor();
    const store = await freshStore(kind);
    await registerSandboxCompany(store, sandboxUrl, ACME);
    let app = await AppProcess.start(store, sandbox.url);
    /** Reads the rows a case's run wrote; PGlite is one process's, so the app stops meanwhile. */
    const countRows = async (r: CaseResult) => {
      if (kind === 'pglite') await app.stop();
      r.rowsWritten = await rowsWrittenBy(store, [r.runId]);
      if (kind === 'pglite') app = await AppProcess.start(store, sandbox.url);
      return r;
    };
    try {
      rows.push({
        name: `sync [${label}]: app idle after start, RSS (peak since start)`,
        value: Math.round(app.statusMb('VmRSS')),
        unit: 'MB',
        goal: `≤ ${rssGoal}`,
        details: { peak_rss_mb: Math.round(app.statusMb('VmHWM')) },
      });
      // Both runs in one app process, as hourly runs meet a company in production (what a process
      // keeps between runs, such as phones already read, counts); rows are counted after both:
      // the second writes no worker, so the first's count is what it wrote.
      const first = await measure(app, sandbox, token, floor, manual(app));
      const again = await measure(app, sandbox, token, floor, manual(app));
      if (kind === 'pglite') await app.stop();
      first.rowsWritten = await rowsWrittenBy(store, [first.runId]);
      again.rowsWritten = await rowsWrittenBy(store, [again.runId]);
      if (kind === 'pglite') app = await AppProcess.start(store, sandbox.url);
      rows.push(row(`full sync, ${size} users`, label, first, fullGoal[size]));
      rows.push(row(`full sync, ${size} users, nothing changed`, label, again));
      if (size === 10_000) {
        // Hourly runs: restart with autosync armed; the next minute's tick queues the run.
        let previousAuto: string | null = null;
        for (const changes of [0, 100]) {
          await app.stop();
          await armAutosync(store);
          const { items } = await control<{ items: Array<{ id: number; is_service_account: boolean }> }>(
            sandbox,
            `/_sandbox/companies/${ACME}/users?active=true`,
          );
          const editable = items.filter((u) => !u.is_service_account).slice(0, changes);
          for (const [i, u] of editable.entries())
            await control(sandbox, `/_sandbox/companies/${ACME}/users/${u.id}`, 'PATCH', {
              job_title: `Bench ${Date.now()} ${i}`,
            });
          // The tick may queue the run as soon as the app starts: count from before it.
          await control(sandbox, '/_sandbox/requests', 'DELETE');
          app = await AppProcess.start(store, sandbox.url);
          const result = await measure(
            app,
            sandbox,
            token,
            2,
            async () => {
              for (;;) {
                const run = await latestAutoRun(app, token, previousAuto);
                if (run) return run;
                await sleep(500);
              }
            },
            true,
          );
          previousAuto = result.runId;
          rows.push(
            row(`hourly incremental run, ${size} users, ${changes} changed`, label, await countRows(result)),
          );
        }
      }
    } finally {
      await app.stop();
      await store.drop();
    }
  }

  if (SIZES.includes(10_000)) {
    // Procore's spike limit at 25 per 10 s and 50 ms per request: the run should be bound by them.
    await control(sandbox, '/_sandbox/reset', 'POST', {
      users: 10_000,
      seed: 42,
      settings: { rateLimit: { hourly: 1e9, spike: 25 } },
    });
    await control(sandbox, '/_sandbox/faults', 'POST', { kind: 'latency', latency_ms: 50 });
    const floor = await pageFloor();
    const store = await freshStore(kind);
    await registerSandboxCompany(store, sandboxUrl, ACME);
    const app = await AppProcess.start(store, sandbox.url);
    try {
      const r = await measure(app, sandbox, token, floor, manual(app));
      if (kind === 'pglite') await app.stop();
      r.rowsWritten = await rowsWrittenBy(store, [r.runId]);
      // The fewest seconds the limit allows: token + pages, 25 per 10 s, 50 ms each one after another.
      const calls = r.requests + 1;
      const timeFloor = Math.floor((calls - 1) / 25) * 10 + calls * 0.05;
      rows.push(
        row(
          `full sync, 10000 users, 25 req/10 s + 50 ms latency (time floor ${round(timeFloor)} s)`,
          label,
          r,
        ),
      );
    } finally {
      await app.stop();
      await store.drop();
      await control(sandbox, '/_sandbox/faults', 'DELETE');
    }
  }
  return rows;
}

export async function run(): Promise<BenchResult[]> {
  const sandbox = await startUnlimitedSandbox();
  sandboxUrl = sandbox.url;
  try {
    // BENCH_SYNC_BACKENDS=postgres repeats only the PostgreSQL rows.
    const only = process.env.BENCH_SYNC_BACKENDS;
    const rows = only === 'postgres' ? [] : await benchBackend('pglite', sandbox);
    if (process.env.BENCH_DATABASE_URL && only !== 'pglite')
      rows.push(...(await benchBackend('postgres', sandbox)));
    return rows;
  } finally {
    await sandbox.close();
  }
}
