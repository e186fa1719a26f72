import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { ACME, connectAs, startTestSandbox } from '../../helpers/sandbox';

describeEachDatabase('connecting from inside Procore', ({ db }) => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let app: FastifyInstance;
  // What Procore holds for the company, looked up in the simulator's state.
  const hooks = async () =>
    [...(sandbox.handle.state.companies.get(Number(ACME))?.hooks.values() ?? [])].filter(
      (h) => h.namespace === 'procore-worker-sync',
    );

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    const base = sandbox.url;
    app = await buildTestApp(db(), {
      config: testConfig({
        PROCORE_LOGIN_URL: base,
        PROCORE_API_URL: base,
        PUBLIC_URL: 'http://localhost:3999',
      }),
    });
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('connects an admin: a session for the company, service-account access, one webhook hook', async () => {
    const result = await connectAs(app, sandbox, { search: 'dana' });
    expect(result.popupLocation).toMatch(/^\/auth-popup\.html#code=/);
    expect(result.isAdmin).toBe(true);
    const me = await app.inject({
      url: `/api/companies/${ACME}/me`,
      headers: { authorization: `Bearer ${result.token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { name: 'Dana Whitfield', isAdmin: true },
      connection: {
        companyId: ACME,
        companyName: 'Acme Builders',
        state: 'connected',
        accessMode: 'service_account',
        webhookRegistered: true,
      },
    });
    const ours = await hooks();
    expect(ours).toHaveLength(1);
    expect(ours[0]?.destination_url).toBe('http://localhost:3999/webhooks/procore');
    const company = await db()
      .db.selectFrom('companies')
      .select(['webhook_secret_hash'])
      .where('id', '=', ACME)
      .executeTakeFirstOrThrow();
    expect(company.webhook_secret_hash).toMatch(/^[A-Za-z0-9_-]{43}$/); // a hash, never the secret
  });

  it('signs in a non-admin who can read but not disconnect', async () => {
    const result = await connectAs(app, sandbox, { search: 'luis.ortega' });
    expect(result.isAdmin).toBe(false);
    const auth = { authorization: `Bearer ${result.token}` };
    expect((await app.inject({ url: `/api/companies/${ACME}/connection`, headers: auth })).statusCode).toBe(
      200,
    );
    const denied = await app.inject({
      method: 'DELETE',
      url: `/api/companies/${ACME}/connection`,
      headers: auth,
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toMatch(/company admin/);
  });

  it('shows why when the person declines access', async () => {
    const result = await connectAs(app, sandbox, { search: 'dana', decision: 'deny' });
    expect(result.token).toBeUndefined();
    const params = new URLSearchParams(result.popupLocation.split('#')[1]);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('reason')).toMatch(/did not allow/);
  });

  it('refuses a company the user cannot see', async () => {
    // Rachel belongs to Summit Electric only; she tries to connect the app opened for Acme.
    const result = await connectAs(app, sandbox, {
      search: 'rachel',
      companyId: ACME,
      userCompanyId: '4280002',
    });
    expect(result.token).toBeUndefined();
    const params = new URLSearchParams(result.popupLocation.split('#')[1]);
    expect(params.get('error')).toBe('company_not_visible');
    expect(params.get('reason')).toMatch(/Rachel .*not a member of company 4280001/);
  });

  it('asks for an admin when a non-admin opens a company that is not connected yet', async () => {
    // Summit Electric's field crew (permission template "Field Crew"), not its office manager.
    const result = await connectAs(app, sandbox, {
      search: 'summitelectric',
      companyId: '4280002',
      pick: (u) => u.first_name !== 'Rachel',
    });
    const params = new URLSearchParams(result.popupLocation.split('#')[1]);
    expect(params.get('error')).toBe('admin_required');
    expect(params.get('reason')).toMatch(
      /^You're signed in as .+, who has no access to the Company Admin tool in Procore\. Ask a company admin to connect Worker Sync\.$/,
    );
  });

  it('refuses a replayed OAuth state and a reused one-time code', async () => {
    const start = await app.inject(`/auth/procore/start?company_id=${ACME}`);
    const authorize = new URL(start.headers.location as string);
    const nonce = start.cookies.find((c) => c.name === 'pws_oauth_nonce')!.value;
    const { items } = await sandbox.control<{ items: Array<{ id: number }> }>(
      `/_sandbox/companies/${ACME}/users?search=dana`,
    );
    const decide = () =>
      fetch(`${sandbox.url}/oauth/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          response_type: 'code',
          client_id: authorize.searchParams.get('client_id')!,
          redirect_uri: authorize.searchParams.get('redirect_uri')!,
          state: authorize.searchParams.get('state')!,
          user_id: String(items[0]!.id),
          decision: 'allow',
        }),
      });
    const first = new URL((await decide()).headers.get('location')!);
    const ok = await app.inject({
      url: `${first.pathname}${first.search}`,
      cookies: { pws_oauth_nonce: nonce },
    });
    const code = new URLSearchParams((ok.headers.location as string).split('#')[1]).get('code')!;
    expect(code).toBeTruthy();

    // The same state again (with a fresh Procore code): refused.
    const second = new URL((await decide()).headers.get('location')!);
    const replay = await app.inject({
      url: `${second.pathname}${second.search}`,
      cookies: { pws_oauth_nonce: nonce },
    });
    expect(new URLSearchParams((replay.headers.location as string).split('#')[1]).get('error')).toBe(
      'invalid_state',
    );

    // A state presented by another browser (no nonce cookie): refused.
    const noCookie = await app.inject({ url: `${second.pathname}${second.search}` });
    expect(new URLSearchParams((noCookie.headers.location as string).split('#')[1]).get('error')).toBe(
      'invalid_request',
    );

    const once = await app.inject({ method: 'POST', url: '/auth/session', payload: { code } });
    expect(once.statusCode).toBe(200);
    const twice = await app.inject({ method: 'POST', url: '/auth/session', payload: { code } });
    expect(twice.statusCode).toBe(401);
  });

  it('a disconnect removes the hook; a reconnect leaves exactly one', async () => {
    const admin = await connectAs(app, sandbox, { search: 'dana' });
    const auth = { authorization: `Bearer ${admin.token}` };
    const disconnected = await app.inject({
      method: 'DELETE',
      url: `/api/companies/${ACME}/connection`,
      headers: auth,
    });
    expect(disconnected.json()).toMatchObject({
      state: 'disconnected',
      disconnectReason: 'Disconnected by Dana Whitfield.',
    });
    expect(await hooks()).toHaveLength(0);

    await connectAs(app, sandbox, { search: 'dana' });
    expect(await hooks()).toHaveLength(1);

    // Our record of the hook lost (say, a restore from an old backup): reconnecting reuses Procore's.
    await db()
      .db.updateTable('companies')
      .set({ connection_state: 'disconnected', webhook_hook_id: null })
      .where('id', '=', ACME)
      .execute();
    await connectAs(app, sandbox, { search: 'dana' });
    expect(await hooks()).toHaveLength(1);
  });

  it('puts back a hook Procore lost when an admin opens the app', async () => {
    await connectAs(app, sandbox, { search: 'dana' });
    const acme = sandbox.handle.state.companies.get(Number(ACME))!;
    for (const hook of await hooks()) acme.hooks.delete(hook.id);
    expect(await hooks()).toHaveLength(0);
    await connectAs(app, sandbox, { search: 'luis.ortega' }); // a non-admin's sign-in changes nothing
    expect(await hooks()).toHaveLength(0);
    await connectAs(app, sandbox, { search: 'dana' });
    expect(await hooks()).toHaveLength(1);
  });
});
