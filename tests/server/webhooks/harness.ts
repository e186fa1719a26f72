import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../server/config';
import type { DatabaseHandle } from '../../../server/db/connect';
import type { Services } from '../../../server/services';
import type { DirectoryFactory } from '../../../server/sync/directory';
import { buildTestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { freePort } from '../../helpers/process';
import { connectAs, startTestSandbox } from '../../helpers/sandbox';

export type TestSandbox = Awaited<ReturnType<typeof startTestSandbox>>;

/**
 * The whole webhook path for real: the app listening on loopback with `PUBLIC_URL` at that
 * address, so the hook the connect flow registers in the sandbox POSTs to it; pg-boss on the
 * test database; the webhook workers over the real Procore client.
 */
export interface WebhookStack {
  app: FastifyInstance;
  url: string;
  config: Config;
  services: Services;
  sandbox: TestSandbox;
  token: string;
  /** Shifts the clock the jobs log runs with (hour buckets). */
  clock: { offsetMs: number };
  close(): Promise<void>;
}

export async function startWebhookStack(
  database: DatabaseHandle,
  opts: {
    sandboxSettings?: NonNullable<Parameters<typeof startTestSandbox>[0]>['settings'];
    directoryFor?: DirectoryFactory;
  } = {},
): Promise<WebhookStack> {
  const sandbox = await startTestSandbox({ settings: opts.sandboxSettings });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = testConfig({
    PROCORE_LOGIN_URL: sandbox.url,
    PROCORE_API_URL: sandbox.url,
    PUBLIC_URL: url,
  });
  const clock = { offsetMs: 0 };
  const app = await buildTestApp(database, {
    config,
    directoryFor: opts.directoryFor,
    now: () => new Date(Date.now() + clock.offsetMs),
    jobs: true,
  });
  await app.listen({ port, host: '127.0.0.1' });
  const { token } = await connectAs(app, sandbox, { search: 'dana' });
  if (!token) throw new Error('connect failed');
  return {
    app,
    url,
    config,
    services: app.services,
    sandbox,
    token,
    clock,
    async close() {
      await app.close();
      await sandbox.close();
    },
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The hook's Authorization as the sandbox holds it (what Procore sends with every delivery). */
export function hookSecret(sandbox: TestSandbox, companyId: string): string {
  const hooks = [...(sandbox.handle.state.companies.get(Number(companyId))?.hooks.values() ?? [])];
  const hook = hooks.find((h) => h.namespace === 'procore-worker-sync');
  const secret = hook?.authorization;
  if (!secret) throw new Error('no hook registered in the sandbox');
  return secret;
}

let ulidSeq = 0;
/** A fresh v4.0 delivery id (a 26-character ULID-shaped string). */
export function newUlid(): string {
  ulidSeq += 1;
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let tail = '';
  let n = Date.now() * 1000 + ulidSeq;
  for (let i = 0; i < 16; i++) {
    tail = alphabet[n % 32] + tail;
    n = Math.floor(n / 32);
  }
  return `01JD${Math.random()
    .toString(36)
    .slice(2, 8)
    .toUpperCase()
    .replace(/[ILOU]/g, 'X')}${tail}`.slice(0, 26);
}

/** A v4.0 Company Users event (procore-api.md §6.2). */
export function userEvent(companyId: string, userId: string | number, reason = 'update') {
  return {
    id: newUlid(),
    timestamp: new Date().toISOString(),
    reason,
    company_id: String(companyId),
    project_id: null,
    user_id: '8150001',
    resource_type: 'Company Users',
    resource_id: String(userId),
  };
}
