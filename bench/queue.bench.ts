import {
  AppProcess,
  api,
  control,
  freshStore,
  procoreRequests,
  type RunView,
  round,
  rowsWrittenBy,
  sleep,
  startUnlimitedSandbox,
} from './app-process';
import { adminToken, registerCompanies, seedCompanies } from './companies';
import type { BenchResult } from './run';

/**
 * Many companies queued at once on one app process: 100 companies of 300 users each, a Sync
 * requested for every one within a moment, measured from the first request to the last run's end
 * (goal ≤ 15 s), with the longest wait between a Sync being asked for and its run starting. The
 * queue must not hold runs to its polling interval. PGlite always; PostgreSQL where
 * BENCH_DATABASE_URL is set. BENCH_QUEUE_COMPANIES narrows the count.
 */
const COMPANIES = Number(process.env.BENCH_QUEUE_COMPANIES ?? 100);
const USERS = 300;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export async function run(): Promise<BenchResult[]> {
  const sandbox = await startUnlimitedSandbox();
  try {
    const companies = await seedCompanies(sandbox, COMPANIES, USERS);
    const rows: BenchResult[] = [];
    const kinds = process.env.BENCH_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
    for (const kind of kinds) {
      const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
      const store = await freshStore(kind);
      await registerCompanies(store, companies);
      const app = await AppProcess.start(store, sandbox.url);
      try {
        const tokens = await Promise.all(companies.map((c) => adminToken(c.id)));
        // Tokens for every company first, so the measurement is the queue, not the grants.
        await control(sandbox, '/_sandbox/requests', 'DELETE');
        app.resetPeak();
        const cpu0 = app.cpuSeconds();
        const asked = new Map<string, number>();
        const started = Date.now();
        const queued = await Promise.all(
          companies.map(async (c, i) => {
            const token = tokens[i]!;
            asked.set(c.id, Date.now());
            const { run } = await api<{ run: RunView }>(app, token, `/companies/${c.id}/syncs`, 'POST');
            return { companyId: c.id, token, runId: run.id };
          }),
        );
        const finished = new Map<string, RunView>();
        const deadline = Date.now() + 10 * 60_000;
        // Each look stops at the first run still working (they were asked for together and end
        // roughly in that order): watching 100 runs costs the app a few requests a second, as one
        // admin's page would, not 100 (the runs' own times say when each ended).
        while (finished.size < queued.length) {
          for (const q of queued) {
            if (finished.has(q.companyId)) continue;
            const { run } = await api<{ run: RunView }>(
              app,
              q.token,
              `/companies/${q.companyId}/syncs/${q.runId}`,
            );
            if (!run.finishedAt) break;
            finished.set(q.companyId, run);
          }
          if (Date.now() > deadline) throw new Error(`runs did not finish: ${app.log()}`);
          if (finished.size < queued.length) await sleep(250);
        }
        const cpuS = app.cpuSeconds() - cpu0;
        const runs = [...finished.values()];
        const lastEnd = Math.max(...runs.map((r) => Date.parse(r.finishedAt!)));
        const maxWait = Math.max(
          ...[...finished.entries()].map(([id, r]) => Date.parse(r.startedAt!) - (asked.get(id) ?? started)),
        );
        const peakRssMb = Math.round(app.statusMb('VmHWM'));
        const requests = await procoreRequests(sandbox);
        if (kind === 'pglite') await app.stop(); // PGlite is one process's: the rows are read after
        const rowsWritten = await rowsWrittenBy(
          store,
          runs.map((r) => r.id),
        );
        const statuses = [...new Set(runs.map((r) => r.status))].join('/');
        const result: BenchResult = {
          name: `queue [${label}]: ${COMPANIES} company runs of ${USERS} users queued at once, one process`,
          value: round((lastEnd - started) / 1000),
          unit: 's',
          goal: '≤ 15',
          details: {
            requests,
            // Each company: one page of active users, one of inactive users.
            floor: COMPANIES * 2,
            cpu_s: round(cpuS),
            peak_rss_mb: peakRssMb,
            rows: rowsWritten,
            status: statuses,
            max_wait_s: round(maxWait / 1000),
            run_median_s: round(
              median(runs.map((r) => Date.parse(r.finishedAt!) - Date.parse(r.startedAt!))) / 1000,
            ),
          },
        };
        console.error(`  ${result.name}: ${result.value} s ${JSON.stringify(result.details)}`);
        rows.push(result);
      } finally {
        await app.stop();
        await store.drop();
      }
    }
    return rows;
  } finally {
    await sandbox.close();
  }
}
