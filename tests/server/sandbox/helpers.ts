import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { type BuildSandboxOptions, buildSandbox, type SandboxHandle } from '../../../server/sandbox/app';

export const ACME = 4280001;
export const SUMMIT = 4280002;
export const LAKESHORE = 4280003;

export interface TestSandbox {
  sb: SandboxHandle;
  /** An `inject` with a bearer token and (when given) the Procore-Company-Id header. */
  api(
    token: string,
    url: string,
    options?: { companyId?: number; method?: InjectOptions['method']; body?: unknown },
  ): Promise<LightMyRequestResponse>;
  control(method: InjectOptions['method'], url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Signs in through /oauth/authorize as the given user and exchanges the code. */
  signIn(userId: number): Promise<{ access_token: string; refresh_token: string; expires_in: number }>;
  serviceToken(): Promise<string>;
  companySummary(id: number): Promise<{
    admin_user_ids: number[];
    standard_user_ids: number[];
    service_account_user_id: number | null;
    project_ids: number[];
  }>;
}

export const CLIENT = { client_id: 'sandbox-client', client_secret: 'sandbox-secret' };
export const REDIRECT = 'http://localhost:3000/auth/procore/callback';

export async function testSandbox(options: BuildSandboxOptions = {}): Promise<TestSandbox> {
  const sb = await buildSandbox(options);
  const app = sb.app;
  const t: TestSandbox = {
    sb,
    api: (token, url, o = {}) =>
      app.inject({
        method: o.method ?? 'GET',
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(o.companyId !== undefined ? { 'procore-company-id': String(o.companyId) } : {}),
        },
        ...(o.body !== undefined ? { payload: o.body as object } : {}),
      }),
    control: (method, url, body) =>
      app.inject({ method, url, ...(body !== undefined ? { payload: body as object } : {}) }),
    async signIn(userId) {
      const code = await authorizeCode(app, userId);
      const res = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          ...CLIENT,
        }).toString(),
      });
      if (res.statusCode !== 200) throw new Error(`token exchange failed: ${res.body}`);
      return res.json();
    },
    async serviceToken() {
      const res = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'client_credentials', ...CLIENT },
      });
      return res.json().access_token;
    },
    async companySummary(id) {
      return (await app.inject({ method: 'GET', url: `/_sandbox/companies/${id}` })).json();
    },
  };
  return t;
}

/** Picks the user on the authorize page's form and returns the code from the redirect. */
export async function authorizeCode(
  app: SandboxHandle['app'],
  userId: number,
  state = 'st-1',
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/oauth/authorize',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      client_id: CLIENT.client_id,
      redirect_uri: REDIRECT,
      state,
      decision: 'allow',
      user_id: String(userId),
    }).toString(),
  });
  if (res.statusCode !== 302) throw new Error(`authorize failed: ${res.statusCode} ${res.body}`);
  const location = new URL(res.headers.location as string);
  return location.searchParams.get('code') ?? '';
}

/** Parses a Link header into { rel: url }. */
export function links(header: string | string[] | number | undefined): Record<string, URL> {
  const out: Record<string, URL> = {};
  if (typeof header !== 'string') return out;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part.trim());
    if (m?.[1] && m[2]) out[m[2]] = new URL(m[1]);
  }
  return out;
}
