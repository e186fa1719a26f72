import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { decideSignIn, type startTestSandbox } from '../../helpers/sandbox';

type Sandbox = Awaited<ReturnType<typeof startTestSandbox>>;

export interface SignIn {
  /** Where the callback sent the popup (`/auth-popup.html#code=…` or `#error=…&reason=…`). */
  popupLocation: string;
  error: string | null;
  reason: string | null;
  token?: string;
  isAdmin?: boolean;
  handle?: string;
  /** The `Set-Cookie` of the session exchange, as sent. */
  setCookie?: string;
  expiresAt?: string;
}

/**
 * The connect dance without a browser, keeping what the frame keeps: the start route, the
 * sandbox's sign-in decision for the person whose email matches `email`, the callback, and the
 * one-time code traded for a session (token, refresh handle, cookie).
 */
export async function signIn(
  app: FastifyInstance,
  sandbox: Sandbox,
  options: { companyId: string; email: string; userCompanyId?: string },
): Promise<SignIn> {
  const start = await app.inject(`/auth/procore/start?company_id=${options.companyId}`);
  const authorize = new URL(start.headers.location as string);
  const nonce = start.cookies.find((c) => c.name === 'pws_oauth_nonce')?.value ?? '';
  const { items } = await sandbox.control<{ items: Array<{ id: number; email_address: string | null }> }>(
    `/_sandbox/companies/${options.userCompanyId ?? options.companyId}/users?search=${encodeURIComponent(options.email)}`,
  );
  const user = items.find((u) => u.email_address === options.email);
  if (!user) throw new Error(`no sandbox user has the email ${options.email}`);
  const callback = await decideSignIn(sandbox, authorize, user.id);
  const done = await app.inject({
    url: `${callback.pathname}${callback.search}`,
    cookies: { pws_oauth_nonce: nonce },
  });
  const popupLocation = done.headers.location as string;
  const params = new URLSearchParams(popupLocation.split('#')[1] ?? '');
  const code = params.get('code');
  if (!code) return { popupLocation, error: params.get('error'), reason: params.get('reason') };
  const session = await app.inject({ method: 'POST', url: '/auth/session', payload: { code } });
  if (session.statusCode !== 200)
    throw new Error(`/auth/session answered ${session.statusCode}: ${session.body}`);
  const body = session.json() as { token: string; isAdmin: boolean; handle: string; expiresAt: string };
  return {
    popupLocation,
    error: null,
    reason: null,
    token: body.token,
    isAdmin: body.isAdmin,
    handle: body.handle,
    expiresAt: body.expiresAt,
    setCookie: [session.headers['set-cookie'] ?? []].flat().join('\n'),
  };
}

/** A logger whose JSON lines a test can read back. */
export function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}
