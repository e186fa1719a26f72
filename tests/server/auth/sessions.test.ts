import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import type { Services } from '../../../server/services';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET, testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { ACME, startTestSandbox } from '../../helpers/sandbox';
import { type SignIn, signIn } from './sign-in';

/**
 * Sessions that survive a reload, last while the page is in use, and end when they should: the
 * refresh handle (body or partitioned cookie), renewal that asks Procore again at most every 15
 * minutes, and the company epoch that ends every session at Disconnect or uninstall.
 */
const DANA = 'dana.whitfield@acmebuilders.example';
const LUIS = 'luis.ortega@acmebuilders.example';
const BERNADETTE = 'bernadette.quinlan@acmebuilders.example';
const COOKIE = `__Host-pws_session_${ACME}`;
const MINUTE = 60_000;

describeEachDatabase('sessions', ({ db }) => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let app: FastifyInstance & { services: Services };
  let clock = Date.now();

  const bearer = (s: { token?: string }) => ({ authorization: `Bearer ${s.token}` });
  const me = (s: { token?: string }) => app.inject({ url: `/api/companies/${ACME}/me`, headers: bearer(s) });
  const renew = (body: { handle?: string }, cookie?: string) =>
    app.inject({
      method: 'POST',
      url: '/auth/session/renew',
      payload: { companyId: ACME, ...body },
      cookies: cookie ? { [COOKIE]: cookie } : {},
    });
  const error = (res: LightMyRequestResponse) =>
    (res.json() as { error: { code: string; message: string } }).error;
  const permissionReads = async (userId: number) => {
    const { items } = await sandbox.control<{ items: Array<{ user_id: number | null }> }>(
      '/_sandbox/requests?path_prefix=/rest/v1.0/settings/permissions',
    );
    return items.filter((r) => r.user_id === userId).length;
  };
  const userId = async (email: string) => {
    const { items } = await sandbox.control<{ items: Array<{ id: number; email_address: string }> }>(
      `/_sandbox/companies/${ACME}/users?search=${encodeURIComponent(email)}`,
    );
    return items.find((u) => u.email_address === email)!.id;
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    app = await buildTestApp(db(), {
      now: () => new Date(clock),
      config: testConfig({
        PROCORE_LOGIN_URL: sandbox.url,
        PROCORE_API_URL: sandbox.url,
        PUBLIC_URL: 'http://localhost:3999',
        SESSION_TTL_SECONDS: '20',
      }),
    });
  });
  beforeEach(async () => {
    await app.services.companies.markDisconnected(ACME, 'test reset');
    await sandbox.control('/_sandbox/reset', { body: {} });
    clock = Date.now();
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('hands over a token, a refresh handle and a partitioned cookie holding it', async () => {
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    expect(Date.parse(dana.expiresAt!) - clock).toBeLessThanOrEqual(20_000);
    expect(dana.handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = dana.setCookie!;
    expect(cookie).toContain(`${COOKIE}=${dana.handle}`);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=None', 'Partitioned', 'Path=/']) {
      expect(cookie).toContain(attribute);
    }
    expect((await me(dana)).statusCode).toBe(200);
  });

  it('renews from the cookie alone (a reload in a frame without storage) and from the handle', async () => {
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    const fromCookie = await renew({}, dana.handle);
    expect(fromCookie.statusCode).toBe(200);
    expect(fromCookie.json()).toMatchObject({ companyId: ACME, userName: 'Dana Whitfield', isAdmin: true });
    expect(fromCookie.json().handle).toBeUndefined(); // the handle is given once
    expect(fromCookie.headers['set-cookie']).toContain('Partitioned'); // its lifetime starts again
    expect((await me(fromCookie.json())).statusCode).toBe(200);

    const fromBody = await renew({ handle: dana.handle });
    expect(fromBody.statusCode).toBe(200);

    const none = await renew({});
    expect(none.statusCode).toBe(401);
    expect(error(none).code).toBe('unauthorized');
    const unknown = await renew({ handle: 'x'.repeat(43) });
    expect(error(unknown).code).toBe('unauthorized');
  });

  it('refuses an expired token as session_expired, which a renewal puts right', async () => {
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    const expired = await issueSession(
      sessionKey(TEST_APP_SECRET),
      { companyId: ACME, procoreUserId: '1', userName: 'Dana Whitfield', isAdmin: true },
      new Date(Date.now() - MINUTE),
      20,
    );
    const refused = await me(expired);
    expect(refused.statusCode).toBe(401);
    expect(error(refused).code).toBe('session_expired');
    const renewed = await renew({ handle: dana.handle });
    expect((await me(renewed.json())).statusCode).toBe(200);
  });

  it('asks Procore again at renewal, at most every 15 minutes', async () => {
    const bernadette = await signIn(app, sandbox, { companyId: ACME, email: BERNADETTE });
    const id = await userId(BERNADETTE);
    const atSignIn = await permissionReads(id);
    for (const minutes of [1, 5, 14]) {
      clock = Date.now() + minutes * MINUTE;
      expect((await renew({ handle: bernadette.handle })).statusCode).toBe(200);
    }
    expect(await permissionReads(id)).toBe(atSignIn);

    // An hour later (the page open all morning) the session goes on, and Procore is asked once.
    clock = Date.now() + 60 * MINUTE;
    const later = await renew({ handle: bernadette.handle });
    expect(later.json()).toMatchObject({ isAdmin: true });
    expect(await permissionReads(id)).toBe(atSignIn + 1);
    expect((await renew({ handle: bernadette.handle })).statusCode).toBe(200);
    expect(await permissionReads(id)).toBe(atSignIn + 1);

    // Procore takes her admin rights away: the next check says so, and the session goes on without
    // an admin's rights (settings, for one, are refused).
    await sandbox.control(`/_sandbox/companies/${ACME}/users/${id}`, {
      method: 'PATCH',
      body: { company_permission_template_id: 5102 },
    });
    clock = Date.now() + 80 * MINUTE;
    const demoted = await renew({ handle: bernadette.handle });
    expect(demoted.json()).toMatchObject({ isAdmin: false });
    const denied = await app.inject({
      method: 'PATCH',
      url: `/api/companies/${ACME}/settings`,
      headers: bearer(demoted.json()),
      payload: { autosync: true },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('refuses a renewal once Procore no longer lists the person in the company', async () => {
    await signIn(app, sandbox, { companyId: ACME, email: DANA });
    const luis = await signIn(app, sandbox, { companyId: ACME, email: LUIS });
    await sandbox.control(`/_sandbox/companies/${ACME}/users/${await userId(LUIS)}/deactivate`, { body: {} });
    clock = Date.now() + 16 * MINUTE;
    const refused = await renew({}, luis.handle);
    expect(refused.statusCode).toBe(401);
    expect(error(refused)).toEqual({
      code: 'session_ended',
      message:
        'Procore no longer lists Luis Ortega in Acme Builders, so this Worker Sync session has ended. Ask a company admin if you still need access.',
    });
    expect(refused.headers['set-cookie']).toMatch(new RegExp(`${COOKIE}=;.*Partitioned`));
    // Ended for good: asking again gives the same reason without asking Procore.
    expect(error(await renew({ handle: luis.handle })).message).toMatch(/no longer lists Luis Ortega/);
  });

  it('lets a handle lapse after eight hours without use', async () => {
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    clock = Date.now() + 9 * 60 * MINUTE;
    const refused = await renew({ handle: dana.handle });
    expect(error(refused)).toMatchObject({
      code: 'session_ended',
      message: expect.stringMatching(/ran out/),
    });
  });

  it('ends every session of the company at Disconnect, revokes its Procore tokens, and Sync and Preview say why', async () => {
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    const luis = await signIn(app, sandbox, { companyId: ACME, email: LUIS });
    // The service account has been used (the webhook hook); its token is one to revoke.
    const before = [...sandbox.handle.state.accessTokens.values()];
    expect(before.some((t) => t.kind === 'service_account' && !t.revoked)).toBe(true);

    const disconnected = await app.inject({
      method: 'DELETE',
      url: `/api/companies/${ACME}/connection`,
      headers: bearer(dana),
    });
    expect(disconnected.json()).toMatchObject({ state: 'disconnected' });

    const message = 'Worker Sync is disconnected from Acme Builders. Connect it again to sync.';
    for (const [method, url] of [
      ['GET', `/api/companies/${ACME}/me`],
      ['POST', `/api/companies/${ACME}/syncs`],
      ['POST', `/api/companies/${ACME}/syncs/preview`],
    ] as const) {
      for (const who of [dana, luis] as SignIn[]) {
        const res = await app.inject({
          method,
          url,
          headers: bearer(who),
          ...(method === 'POST' ? { payload: {} } : {}),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(error(res)).toEqual({ code: 'session_ended', message });
      }
    }
    expect(error(await renew({}, luis.handle))).toEqual({ code: 'session_ended', message });

    // Every Procore token the app held for the company (sign-ins and service account) is revoked.
    const alive = before.filter((t) => !t.revoked);
    expect(alive).toEqual([]);
    await expect(app.services.companies.procoreFor(ACME)).rejects.toThrow(message);
  });

  it('ends every session when Procore says the app was uninstalled', async () => {
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    const luis = await signIn(app, sandbox, { companyId: ACME, email: LUIS });
    await sandbox.control(`/_sandbox/companies/${ACME}/uninstall`, { body: {} });
    clock = Date.now() + 16 * MINUTE;
    const refused = await renew({ handle: dana.handle });
    expect(error(refused)).toEqual({
      code: 'session_ended',
      message:
        'Worker Sync was uninstalled from Acme Builders in Procore. A company admin has to install it from the Procore App Marketplace and connect it again.',
    });
    const other = await me(luis);
    expect(error(other).message).toMatch(/uninstalled from Acme Builders/);
  });
});
