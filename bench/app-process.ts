import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { type DatabaseHandle, openPglite, openPostgres } from '../server/db/connect';
import { type RunningSandbox, startSandbox } from '../server/sandbox';
import { type StartCommand, startCommand } from '../tests/helpers/process';

/**
 * The app as a separate process for benchmarks: started as `npm start` starts it (the server
 * bundle, with the start script's environment and Node flags), on a fresh PGlite directory or
 * PostgreSQL database, talking HTTP to a sandbox the benchmark runs. Its pid's /proc files give
 * its own CPU time and peak RSS.
 */

export const APP_SECRET = 'bench-secret-that-is-long-enough-for-the-app-0123456789';

/** `npm start`'s command (package.json), its bundle built once per benchmark process. */
let shipped: StartCommand | undefined;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

/** Procore's rate limits out of the way: a case measures the app, not Procore's pacing. */
export const UNLIMITED = { rateLimit: { hourly: 1e9, spike: 1e9 } };

/** The benchmark's sandbox, on a free port, without rate limits. */
export async function startUnlimitedSandbox(): Promise<RunningSandbox> {
  return startSandbox({
    port: await freePort(),
    appUrl: 'http://127.0.0.1:3999',
    logLevel: 'silent',
    settings: UNLIMITED,
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Where the app keeps its data: a fresh PGlite directory or a fresh PostgreSQL database. */
export interface Store {
  env: Record<string, string>;
  open(): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

export async function freshStore(kind: 'pglite' | 'postgres'): Promise<Store> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'pws-bench-'));
    return {
      env: { DATA_DIR: dir },
      open: () => openPglite({ dataDir: dir }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const scratch = await scratchDatabase(process.env.BENCH_DATABASE_URL!);
  return {
    env: { DATABASE_URL: scratch.url },
    open: () => openPostgres(scratch.url, 2),
    drop: scratch.drop,
  };
}

/** A new, empty database on the server at `serverUrl`, and how to drop it. */
export async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pws_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The app process: its pid's /proc files give CPU time and peak RSS. */
export class AppProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    private readonly output: () => string,
  ) {}

  static async start(
    store: Store,
    sandboxUrl: string,
    extraEnv: Record<string, string> = {},
    /** A port chosen earlier (a webhook hook registered for it); else a free one. */
    port?: number,
  ): Promise<AppProcess> {
    port ??= await freePort();
    const url = `http://127.0.0.1:${port}`;
    shipped ??= startCommand();
    // BENCH_APP_FLAGS adds Node flags to the app (say `--cpu-prof --cpu-prof-dir=/tmp/prof`).
    const extraFlags = (process.env.BENCH_APP_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...extraFlags, ...shipped.nodeArgs], {
      env: {
        ...shipped.env,
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: url,
        APP_SECRET,
        PROCORE_CLIENT_ID: 'sandbox-client',
        PROCORE_CLIENT_SECRET: 'sandbox-secret',
        PROCORE_LOGIN_URL: sandboxUrl,
        PROCORE_API_URL: sandboxUrl,
        ...store.env,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const app = new AppProcess(child, url, () => output);
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
      try {
        if ((await fetch(`${url}/readyz`)).ok) return app;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the app did not start: ${output}`);
      await sleep(100);
    }
  }

  /** Seconds of CPU (user + system) the process has used. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  statusMb(key: 'VmHWM' | 'VmRSS'): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  }

  /** Starts the peak over: the kernel resets VmHWM to the current RSS. */
  resetPeak(): void {
    writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
  }

  log(): string {
    return this.output();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

export interface RunView {
  id: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: Record<string, number>;
}

export async function api<T>(app: AppProcess, token: string, path: string, method = 'GET'): Promise<T> {
  const res = await fetch(`${app.url}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    body: method === 'POST' ? '{}' : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function control<T>(
  sandbox: RunningSandbox,
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function procoreRequests(sandbox: RunningSandbox): Promise<number> {
  const { items } = await control<{ items: Array<{ path: string }> }>(sandbox, '/_sandbox/requests');
  return items.filter((r) => r.path.startsWith('/rest/')).length;
}

export async function waitForRun(app: AppProcess, find: () => Promise<RunView | undefined>) {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const run = await find();
    if (run?.finishedAt) return run;
    if (Date.now() > deadline) throw new Error(`the run did not finish: ${app.log()}`);
    await sleep(50);
  }
}

/**
 * Rows these runs wrote, read from the database: their entries and compact unchanged rows, the
 * workers and positions of their companies written since each run started, the runs themselves
 * and their companies' sync state. On PGlite the app must be stopped first (one process holds it).
 */
export async function rowsWrittenBy(store: Store, runIds: readonly string[]): Promise<number> {
  if (runIds.length === 0) return 0;
  const database = await store.open();
  try {
    const { rows } = await sql<{ n: string }>`
      with runs as (select id, company_id, started_at from sync_runs where id in (${sql.join(runIds)}))
      select
        (select count(*) from sync_run_entries where run_id in (select id from runs))
        + (select count(*) from sync_run_entry_batches where run_id in (select id from runs))
        + (select count(*) from workers w where exists (select 1 from runs r
            where r.company_id = w.company_id
              and (w.updated_at >= r.started_at or w.last_synced_at >= r.started_at)))
        + (select count(*) from positions p where exists (select 1 from runs r
            where r.company_id = p.company_id and p.updated_at >= r.started_at))
        + (select count(*) from runs)
        + (select count(*) from user_sync_state where company_id in (select company_id from runs))
        as n`.execute(database.db);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await database.close();
  }
}
