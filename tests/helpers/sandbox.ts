import type { FastifyInstance } from 'fastify';
import { type RunningSandbox, startSandbox } from '../../server/sandbox';
import { freePort } from './process';

export const ACME = '4280001';

/** The Procore sandbox, really listening on loopback (webhooks need a real socket). */
export async function startTestSandbox(
  options: { appUrl?: string; settings?: Parameters<typeof startSandbox>[0]['settings'] } = {},
): Promise<
  RunningSandbox & {
    control: <T = unknown>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;
  }
> {
  const port = await freePort();
  const sandbox = await startSandbox({
    port,
    appUrl: options.appUrl ?? 'http://localhost:3999',
    logLevel: 'silent',
    settings: options.settings,
  });
  const control = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return Object.assign(sandbox, { control });
}

export interface SandboxUser {
  id: number;
  company_permission_template_id?: number | null;
  first_name: string | null;
  last_name: string;
  email_address: string | null;
}

/**
 * The person's choice on the sandbox's sign-in page, for the authorize URL the app's start route
 * redirected to: returns the app's callback URL the sandbox sends the browser back to.
 */
export async function decideSignIn(
  sandbox: { url: string },
  authorize: URL,
  userId: number,
  decision: 'allow' | 'deny' = 'allow',
): Promise<URL> {
  const res = await fetch(`${sandbox.url}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      response_type: 'code',
      client_id: authorize.searchParams.get('client_id') ?? '',
      redirect_uri: authorize.searchParams.get('redirect_uri') ?? '',
      state: authorize.searchParams.get('state') ?? '',
      user_id: String(userId),
      decision,
    }),
  });
  const location = res.headers.get('location');
  if (!location) throw new Error(`the sandbox's sign-in answered ${res.status} without a redirect`);
  return new URL(location);
}

export interface ConnectResult {
  popupLocation: string;
  token?: string;
  isAdmin?: boolean;
}

/**
 * The whole connect dance without a browser: the app's start route, the sandbox's authorize
 * decision (as the person on the sign-in page), the app's callback, and the session exchange.
 */
export async function connectAs(
  app: FastifyInstance,
  sandbox: Awaited<ReturnType<typeof startTestSandbox>>,
  options: {
    companyId?: string;
    search: string;
    /** The company whose directory has the person (defaults to `companyId`). */
    userCompanyId?: string;
    /** Which of the matching people signs in (defaults to the first). */
    pick?: (user: SandboxUser) => boolean;
    decision?: 'allow' | 'deny';
  },
): Promise<ConnectResult> {
  const companyId = options.companyId ?? ACME;
  const start = await app.inject(`/auth/procore/start?company_id=${companyId}`);
  if (start.statusCode !== 302) throw new Error(`start answered ${start.statusCode}: ${start.body}`);
  const authorize = new URL(start.headers.location as string);
  const nonce = start.cookies.find((c) => c.name === 'pws_oauth_nonce');
  const { items } = await sandbox.control<{ items: SandboxUser[] }>(
    `/_sandbox/companies/${options.userCompanyId ?? companyId}/users?search=${encodeURIComponent(options.search)}`,
  );
  const user = items.find(options.pick ?? (() => true));
  if (!user) throw new Error(`no sandbox user matches "${options.search}"`);
  const callback = await decideSignIn(sandbox, authorize, user.id, options.decision);
  const done = await app.inject({
    url: `${callback.pathname}${callback.search}`,
    cookies: nonce ? { pws_oauth_nonce: nonce.value } : {},
  });
  const popupLocation = done.headers.location as string;
  const code = new URLSearchParams(popupLocation.split('#')[1] ?? '').get('code');
  if (!code) return { popupLocation };
  const session = await app.inject({ method: 'POST', url: '/auth/session', payload: { code } });
  const body = session.json() as { token: string; isAdmin: boolean };
  return { popupLocation, token: body.token, isAdmin: body.isAdmin };
}
