import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/database';
import { createProcoreClient } from '../../server/procore/client';
import { type RunningSandbox, startSandbox } from '../../server/sandbox';
import { procoreDirectory } from '../../server/sync/procore-directory';
import { testConfig } from './config';
import { freePort } from './process';

/** The real sandbox on a free port, its control API, and the real client pointed at it. */
export interface SyncSandbox {
  sandbox: RunningSandbox;
  port: number;
  // biome-ignore lint/suspicious/noExplicitAny: control API answers are read loosely in tests
  control<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** The sync's directory for a company over the real Procore client (service account). */
  directory(db: Kysely<Database>, companyId: string, perPage?: number): ReturnType<typeof procoreDirectory>;
  /** Requests the sandbox answered after `afterId` (its request log, §7 counting). */
  requestsAfter(afterId: number): Promise<Array<{ id: number; method: string; path: string }>>;
  lastRequestId(): Promise<number>;
  close(): Promise<void>;
}

export const ACME = '4280001';

export async function startSyncSandbox(): Promise<SyncSandbox> {
  const port = await freePort();
  const sandbox = await startSandbox({ port, appUrl: 'http://localhost:3999', logLevel: 'silent' });
  const control = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: init.method ?? 'GET',
      headers: init.body !== undefined ? { 'content-type': 'application/json' } : {},
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  const config = testConfig({ SANDBOX_PORT: String(port) });
  const requestsAfter = async (afterId: number) =>
    (
      (await control(`/_sandbox/requests?after_id=${afterId}`)) as {
        items: Array<{ id: number; method: string; path: string }>;
      }
    ).items.filter((r) => !r.path.startsWith('/_sandbox'));
  return {
    sandbox,
    port,
    control,
    directory: (db, companyId, perPage) =>
      procoreDirectory(createProcoreClient({ config, db }).forCompany(companyId), { perPage }),
    requestsAfter,
    lastRequestId: async () => {
      const all = ((await control('/_sandbox/requests')) as { items: Array<{ id: number }> }).items;
      return all.at(-1)?.id ?? 0;
    },
    close: () => sandbox.close(),
  };
}
