import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../server/db/connect';
import { TEST_APP_SECRET } from '../helpers/config';
import { freePort, type Started, startServerProcess } from '../helpers/process';
import { ACME, decideSignIn, type SandboxUser, startTestSandbox } from '../helpers/sandbox';

export type FaultSandbox = Awaited<ReturnType<typeof startTestSandbox>>;

/** Polls until `check` answers a value (not undefined/false); generous deadlines, never fixed sleeps. */
export async function until<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 120_000,
  everyMs = 100,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The Procore sandbox in the test process, so it outlives every app process the test kills. */
export async function faultSandbox(users: number): Promise<FaultSandbox> {
  const sandbox = await startTestSandbox();
  await sandbox.control('/_sandbox/reset', {
    body: {
      users,
      seed: 42,
      // Rate limits are not the fault under test here; Procore's backoff is (procore-faults).
      settings: {
        rateLimit: { hourly: 10_000_000, spike: 1_000_000 },
        // Retries of deliveries the killed app did not answer come within seconds of its restart.
        webhooks: { initialBackoffMs: 500, maxBackoffMs: 5_000 },
      },
    },
  });
  return sandbox;
}

export interface AppProcess {
  url: string;
  env: Record<string, string>;
  proc: Started;
  /** Milliseconds from start until /readyz answered 200. */
  readyAfterMs: number;
}

export interface AppSite {
  port: number;
  url: string;
  env: Record<string, string>;
}

/** Where an app process lives: its port, its PGlite directory or PostgreSQL database. */
export async function appSite(sandbox: FaultSandbox, database: { dataDir?: string; databaseUrl?: string }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    APP_SECRET: TEST_APP_SECRET,
    PROCORE_CLIENT_ID: 'sandbox-client',
    PROCORE_CLIENT_SECRET: 'sandbox-secret',
    PROCORE_LOGIN_URL: sandbox.url,
    PROCORE_API_URL: sandbox.url,
    LOG_LEVEL: 'warn',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : { DATA_DIR: database.dataDir! }),
  };
  return { port, url, env } satisfies AppSite;
}

/** Starts the real entry point and waits until /readyz answers 200. */
export async function startApp(site: AppSite, extraEnv: Record<string, string> = {}): Promise<AppProcess> {
  const started = Date.now();
  const proc = startServerProcess({ ...site.env, ...extraEnv });
  await until(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`app exited: ${proc.output()}`);
      return (await fetch(`${site.url}/readyz`)).ok;
    },
    'the app to be ready',
    180_000,
  ).catch((err) => {
    proc.child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${proc.output()}`);
  });
  return { url: site.url, env: site.env, proc, readyAfterMs: Date.now() - started };
}

export async function killApp(app: AppProcess, signal: NodeJS.Signals = 'SIGKILL') {
  app.proc.child.kill(signal);
  return app.proc.exited;
}

/** The whole connect dance over HTTP as a browser would: start, sign in as Dana, callback, session. */
export async function connectOverHttp(
  appUrl: string,
  sandbox: FaultSandbox,
  companyId = ACME,
): Promise<string> {
  const start = await fetch(`${appUrl}/auth/procore/start?company_id=${companyId}`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`start answered ${start.status}`);
  const authorize = new URL(start.headers.get('location')!);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { items } = await sandbox.control<{ items: SandboxUser[] }>(
    `/_sandbox/companies/${companyId}/users?search=dana`,
  );
  const callback = await fetch(await decideSignIn(sandbox, authorize, items[0]!.id), {
    redirect: 'manual',
    headers: { cookie },
  });
  const popup = callback.headers.get('location') ?? '';
  const code = new URLSearchParams(popup.split('#')[1] ?? '').get('code');
  if (!code) throw new Error(`connect failed: ${popup}`);
  const session = await fetch(`${appUrl}/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return ((await session.json()) as { token: string }).token;
}

export interface ApiRun {
  id: string;
  status: string;
  statusReason: string | null;
  progress: { seen: number; total: number | null };
  counts: Record<string, number>;
}

export function api(appUrl: string, token: string) {
  const call = async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${appUrl}/api/companies/${ACME}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    sync: () => call<{ run: ApiRun }>('/syncs', { method: 'POST', body: {} }),
    run: async (id: string) => (await call<{ run: ApiRun }>(`/syncs/${id}`)).body.run,
    /** Waits until the run has ended, whatever its end. */
    finished: (id: string, timeoutMs = 600_000) =>
      until(
        async () => {
          const run = (await call<{ run: ApiRun }>(`/syncs/${id}`)).body.run;
          return ['queued', 'running'].includes(run.status) ? undefined : run;
        },
        `run ${id} to end`,
        timeoutMs,
      ),
    /** Every worker the Workers page finds for `q`. */
    workers: async (q: string) => {
      const all: Array<{ procoreUserId: string | null; lastName: string }> = [];
      let cursor: string | null = null;
      do {
        const page: { body: { workers: typeof all; nextCursor: string | null } } = await call(
          `/workers?q=${encodeURIComponent(q)}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        all.push(...page.body.workers);
        cursor = page.body.nextCursor;
      } while (cursor);
      return all;
    },
  };
}

export function tempDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface WorkerState {
  procore_user_id: string | null;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  payroll_id: string | null;
  active: boolean;
}

/** The workers of a stopped app's PGlite directory, in a comparable order. */
export async function pgliteWorkers(dataDir: string): Promise<WorkerState[]> {
  const handle = await openPglite({ dataDir });
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
}
