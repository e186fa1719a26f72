import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatabaseHandle, openPglite, openPostgres } from '../server/db/connect';
import type { RunningSandbox } from '../server/sandbox';

/**
 * The app as a separate process for benchmarks: `server/main.ts` started with the Node flags of
 * `npm start`, on a fresh PGlite directory or PostgreSQL database, talking HTTP to a sandbox the
 * benchmark runs. Its pid's /proc files give its own CPU time and peak RSS.
 */

export const APP_SECRET = 'bench-secret-that-is-long-enough-for-the-app-0123456789';

/** The Node flags `npm start` gives the app (package.json's start script), so memory is as shipped. */
function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  const m = /\bnode\s+(.*?)\s*--import tsx server\/main\.ts/.exec(pkg.scripts.start);
  return m?.[1] ? m[1].split(/\s+/).filter(Boolean) : [];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

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
    const child = spawn(process.execPath, [...startFlags(), '--import', 'tsx', 'server/main.ts'], {
      env: {
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
 * Rows a run wrote, from its counts: one entry per user it saw (warnings are not users) plus the
 * worker rows it created, updated, reactivated, deactivated or touched.
 */
export function runRowsWritten(c: Record<string, number>): number {
  const entries = Object.values(c).reduce((a, b) => a + b, 0) - (c.warnings ?? 0);
  const workerRows =
    (c.created ?? 0) + (c.updated ?? 0) + (c.reactivated ?? 0) + (c.deactivated ?? 0) + (c.unchanged ?? 0);
  return entries + workerRows;
}
