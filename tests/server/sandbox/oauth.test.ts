import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, authorizeCode, CLIENT, REDIRECT, type TestSandbox, testSandbox } from './helpers';

let t: TestSandbox;
let adminId: number;
const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

beforeAll(async () => {
  t = await testSandbox();
  adminId = (await t.companySummary(ACME)).admin_user_ids[0] as number;
});
afterAll(() => t.sb.app.close());

describe('GET /oauth/authorize', () => {
  it('shows a sign-in page listing people, with a Deny button', async () => {
    const res = await t.sb.app.inject({
      url: `/oauth/authorize?response_type=code&client_id=${CLIENT.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=abc`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain(`value="${adminId}"`);
    expect(res.body).toContain('Deny');
  });

  it('refuses an unknown client without redirecting', async () => {
    const res = await t.sb.app.inject({
      url: `/oauth/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it('redirects with the code and the state, or with access_denied on Deny', async () => {
    const allow = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/authorize',
      ...form({
        ...CLIENT,
        redirect_uri: REDIRECT,
        state: 'xyz',
        decision: 'allow',
        user_id: String(adminId),
      }),
    });
    expect(allow.statusCode).toBe(302);
    const ok = new URL(allow.headers.location as string);
    expect(`${ok.origin}${ok.pathname}`).toBe(REDIRECT);
    expect(ok.searchParams.get('state')).toBe('xyz');
    expect(ok.searchParams.get('code')).toBeTruthy();

    const deny = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/authorize',
      ...form({ client_id: CLIENT.client_id, redirect_uri: REDIRECT, state: 'xyz', decision: 'deny' }),
    });
    const denied = new URL(deny.headers.location as string);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('xyz');
  });
});

describe('POST /oauth/token', () => {
  const exchange = (code: string) =>
    t.sb.app.inject({
      method: 'POST',
      url: '/oauth/token',
      ...form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...CLIENT }),
    });

  it('exchanges a code once (form body) with Procore-typed fields', async () => {
    const code = await authorizeCode(t.sb.app, adminId);
    const first = await exchange(code);
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(5400);
    expect(Number.isInteger(body.created_at)).toBe(true);
    expect(typeof body.refresh_token).toBe('string');
    const again = await exchange(code);
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('invalid_grant');
  });

  it('refuses a code older than 10 minutes', async () => {
    const code = await authorizeCode(t.sb.app, adminId);
    await t.control('POST', '/_sandbox/clock', { advance_seconds: 601 });
    const res = await exchange(code);
    await t.control('POST', '/_sandbox/clock', { advance_seconds: -601 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
  });

  it('refuses a code presented with another redirect_uri', async () => {
    const code = await authorizeCode(t.sb.app, adminId);
    const res = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'authorization_code', code, redirect_uri: 'http://evil.example/cb', ...CLIENT },
    });
    expect(res.statusCode).toBe(400);
  });

  it('rejects bad client credentials with 401 invalid_client', async () => {
    const res = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: CLIENT.client_id, client_secret: 'wrong' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('rotates refresh tokens: the new pair works, the old refresh token is dead (JSON body)', async () => {
    const first = await t.signIn(adminId);
    const refresh = (token: string) =>
      t.sb.app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'refresh_token', refresh_token: token, ...CLIENT },
      });
    const second = await refresh(first.refresh_token);
    expect(second.statusCode).toBe(200);
    const pair = second.json();
    expect(pair.refresh_token).not.toBe(first.refresh_token);
    expect((await t.api(pair.access_token, '/rest/v1.0/me')).statusCode).toBe(200);

    const replay = await refresh(first.refresh_token);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: 'The refresh token is invalid',
    });
    expect((await refresh(pair.refresh_token)).statusCode).toBe(200);
  });

  it('kills a refresh token even when the refresh call fails', async () => {
    const pair = await t.signIn(adminId);
    const failed = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'refresh_token',
        refresh_token: pair.refresh_token,
        client_id: CLIENT.client_id,
        client_secret: 'wrong',
      },
    });
    expect(failed.statusCode).toBe(401);
    const retry = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'refresh_token', refresh_token: pair.refresh_token, ...CLIENT },
    });
    expect(retry.statusCode).toBe(400);
    expect(retry.json().error).toBe('invalid_grant');
  });

  it('gives client credentials a token without a refresh token', async () => {
    const res = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/token',
      ...form({ grant_type: 'client_credentials', ...CLIENT }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().refresh_token).toBeUndefined();
    expect(res.json().expires_in).toBe(5400);
  });

  it('uses the configured token lifetime', async () => {
    await t.control('PATCH', '/_sandbox/settings', { tokenLifetimeSeconds: 60 });
    const pair = await t.signIn(adminId);
    await t.control('PATCH', '/_sandbox/settings', { tokenLifetimeSeconds: 5400 });
    expect(pair.expires_in).toBe(60);
    await t.control('POST', '/_sandbox/clock', { advance_seconds: 61 });
    const res = await t.api(pair.access_token, '/rest/v1.0/me');
    await t.control('POST', '/_sandbox/clock', { advance_seconds: -61 });
    expect(res.statusCode).toBe(401);
  });
});

describe('token info and revoke', () => {
  it('describes a live token', async () => {
    const pair = await t.signIn(adminId);
    const res = await t.api(pair.access_token, '/oauth/token/info');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      resource_owner_id: adminId,
      scopes: [],
      application: { uid: CLIENT.client_id },
    });
    expect(res.json().expires_in_seconds).toBeGreaterThan(5000);
  });

  it('revokes the access token and its refresh token, and answers 200 for junk', async () => {
    const pair = await t.signIn(adminId);
    const res = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      ...form({ token: pair.access_token, ...CLIENT }),
    });
    expect(res.statusCode).toBe(200);
    expect((await t.api(pair.access_token, '/rest/v1.0/me')).statusCode).toBe(401);
    const refresh = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'refresh_token', refresh_token: pair.refresh_token, ...CLIENT },
    });
    expect(refresh.statusCode).toBe(400);
    const junk = await t.sb.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      ...form({ token: 'junk', ...CLIENT }),
    });
    expect(junk.statusCode).toBe(200);
  });
});
