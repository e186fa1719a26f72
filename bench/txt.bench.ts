import {
  AppProcess,
  api,
  control,
  freshStore,
  type RunView,
  round,
  type Store,
  startUnlimitedSandbox,
  UNLIMITED,
  waitForRun,
} from './app-process';
import { adminToken, registerSandboxCompany } from './companies';
import type { BenchResult } from './run';

/**
 * The User Sync Logs' .txt of a large run: the app in its own process as for `sync`, a company of
 * BENCH_TXT_USERS (50,000) synced once, then the app started again, so what it holds is the
 * download's alone. Per download (twice): wall time, the file's size, the app's CPU time and its
 * peak RSS (VmHWM, reset before each). PGlite always; PostgreSQL too when BENCH_DATABASE_URL is set.
 */

const ACME = '4280001';
const USERS = Number(process.env.BENCH_TXT_USERS ?? 50_000);

async function download(app: AppProcess, token: string, runId: string) {
  app.resetPeak();
  const cpu0 = app.cpuSeconds();
  const t0 = performance.now();
  const res = await fetch(`${app.url}/api/companies/${ACME}/syncs/${runId}/log.txt`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`log.txt: ${res.status} ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body!) bytes += (chunk as Uint8Array).byteLength;
  return {
    wallS: round((performance.now() - t0) / 1000),
    cpuS: round(app.cpuSeconds() - cpu0),
    peakRssMb: Math.round(app.statusMb('VmHWM')),
    mb: round(bytes / 1e6, 1),
  };
}

async function benchBackend(kind: 'pglite' | 'postgres', sandboxUrl: string): Promise<BenchResult[]> {
  const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const goal = kind === 'pglite' ? '≤ 300' : '≤ 250';
  const token = await adminToken(ACME);
  const store: Store = await freshStore(kind);
  await registerSandboxCompany(store, sandboxUrl, ACME);
  let app = await AppProcess.start(store, sandboxUrl);
  try {
    const started = (await api<{ run: RunView }>(app, token, `/companies/${ACME}/syncs`, 'POST')).run;
    const run = await waitForRun(
      app,
      async () => (await api<{ run: RunView }>(app, token, `/companies/${ACME}/syncs/${started.id}`)).run,
    );
    // A new process: the sync's own peak and garbage are not the download's.
    await app.stop();
    app = await AppProcess.start(store, sandboxUrl);
    const rows: BenchResult[] = [
      {
        name: `txt [${label}]: app idle after start, RSS (peak since start)`,
        value: Math.round(app.statusMb('VmRSS')),
        unit: 'MB',
        details: { peak_rss_mb: Math.round(app.statusMb('VmHWM')), status: run.status },
      },
    ];
    for (const n of [1, 2]) {
      const d = await download(app, token, run.id);
      console.error(`  ${label} download ${n}: ${JSON.stringify(d)}`);
      rows.push({
        name: `txt [${label}]: download ${n}, ${USERS} users, peak RSS`,
        value: d.peakRssMb,
        unit: 'MB',
        goal,
        details: { wall_s: d.wallS, cpu_s: d.cpuS, file_mb: d.mb },
      });
    }
    return rows;
  } finally {
    await app.stop();
    await store.drop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const sandbox = await startUnlimitedSandbox();
  try {
    await control(sandbox, '/_sandbox/reset', 'POST', { users: USERS, seed: 42, settings: UNLIMITED });
    const rows = await benchBackend('pglite', sandbox.url);
    if (process.env.BENCH_DATABASE_URL) rows.push(...(await benchBackend('postgres', sandbox.url)));
    return rows;
  } finally {
    await sandbox.close();
  }
}
