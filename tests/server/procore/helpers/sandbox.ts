import type { Kysely } from 'kysely';
import type { Database } from '../../../../server/db/database';
import { createProcoreClient, type ProcoreClientOptions } from '../../../../server/procore/client';
import { type RunningSandbox, startSandbox } from '../../../../server/sandbox';
import type { SettingsPatch } from '../../../../server/sandbox/settings';
import { testConfig } from '../../../helpers/config';

/** A sandbox on a free loopback port, quiet, for Procore client tests. */
export async function startTestSandbox(
  options: { users?: number; settings?: SettingsPatch } = {},
): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    appUrl: 'http://localhost:3000',
    logLevel: 'silent',
    seed: options.users !== undefined ? { users: options.users } : undefined,
    settings: options.settings,
  });
}

/** Calls the sandbox's control API (server/sandbox/README.md) and returns the JSON answer. */
export async function control<T = unknown>(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export interface RequestRecord {
  id: number;
  method: string;
  path: string;
  query: string;
  status: number;
  company_id: number | null;
  fault: string | null;
}

/** The sandbox's request log, optionally only paths starting with `prefix`. */
export async function requests(sandbox: RunningSandbox, prefix?: string): Promise<RequestRecord[]> {
  const q = prefix ? `?path_prefix=${encodeURIComponent(prefix)}` : '';
  return (await control<{ items: RequestRecord[] }>(sandbox, 'GET', `/_sandbox/requests${q}`)).items;
}

/** A client pointed at the sandbox; retry delays short so failure tests run fast. */
export function sandboxClient(
  sandbox: RunningSandbox,
  db: Kysely<Database>,
  extra: Partial<Omit<ProcoreClientOptions, 'config' | 'db'>> = {},
) {
  const config = testConfig({ PROCORE_API_URL: sandbox.url, PROCORE_LOGIN_URL: sandbox.url });
  return createProcoreClient({ config, db, ...extra });
}

export const ACME = '4280001';
