import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, LAKESHORE, SUMMIT, type TestSandbox, testSandbox } from './helpers';

let t: TestSandbox;
let adminId: number;
let standardId: number;

beforeAll(async () => {
  t = await testSandbox();
  const acme = await t.companySummary(ACME);
  adminId = acme.admin_user_ids[0] as number;
  standardId = acme.standard_user_ids[0] as number;
});
afterAll(() => t.sb.app.close());

const usersUrl = (company: number) => `/rest/v1.3/companies/${company}/users`;

describe('401 for a missing, unknown, expired or revoked token', () => {
  it('answers 401 with a Procore-style body', async () => {
    const missing = await t.sb.app.inject({
      url: usersUrl(ACME),
      headers: { 'procore-company-id': String(ACME) },
    });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ code: 401 });
    expect(typeof missing.json().message).toBe('string');
    expect((await t.api('nope', usersUrl(ACME), { companyId: ACME })).statusCode).toBe(401);

    const { access_token } = await t.signIn(adminId);
    await t.control('POST', '/_sandbox/clock', { advance_seconds: 5401 });
    const expired = await t.api(access_token, usersUrl(ACME), { companyId: ACME });
    await t.control('POST', '/_sandbox/clock', { advance_seconds: -5401 });
    expect(expired.statusCode).toBe(401);

    const live = await t.signIn(adminId);
    await t.sb.app.inject({ method: 'POST', url: '/oauth/revoke', payload: { token: live.access_token } });
    expect((await t.api(live.access_token, usersUrl(ACME), { companyId: ACME })).statusCode).toBe(401);
  });
});

describe('Procore-Company-Id', () => {
  it('is required on company routes and must match the path', async () => {
    const { access_token } = await t.signIn(adminId);
    const missing = await t.api(access_token, usersUrl(ACME));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe('Missing Procore-Company-Id header!');
    expect((await t.api(access_token, usersUrl(ACME), { companyId: SUMMIT })).statusCode).toBe(400);
    expect((await t.api(access_token, usersUrl(ACME), { companyId: ACME })).statusCode).toBe(200);
  });

  it('is not needed on /me and /companies for a user token', async () => {
    const { access_token } = await t.signIn(adminId);
    const me = await t.api(access_token, '/rest/v1.0/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: adminId });
    expect(typeof me.json().login).toBe('string');
    expect((await t.api(access_token, '/rest/v1.0/companies')).statusCode).toBe(200);
  });
});

describe('company access', () => {
  it("lists a user's own companies, and 404s a company the user is not in", async () => {
    const { access_token } = await t.signIn(standardId);
    const companies = (await t.api(access_token, '/rest/v1.0/companies')).json() as Array<{ id: number }>;
    expect(companies.map((c) => c.id)).toEqual([ACME]);
    expect((await t.api(access_token, usersUrl(SUMMIT), { companyId: SUMMIT })).statusCode).toBe(404);
  });

  it('a user in two companies can reach both', async () => {
    const { access_token } = await t.signIn(adminId);
    const ids = ((await t.api(access_token, '/rest/v1.0/companies')).json() as Array<{ id: number }>).map(
      (c) => c.id,
    );
    expect(ids).toEqual(expect.arrayContaining([ACME, SUMMIT]));
    expect((await t.api(access_token, usersUrl(SUMMIT), { companyId: SUMMIT })).statusCode).toBe(200);
  });

  it('answers 403 "App is not connected to this company" where the app is not installed', async () => {
    const { access_token } = await t.signIn(adminId);
    const res = await t.api(access_token, usersUrl(LAKESHORE), { companyId: LAKESHORE });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 403, message: 'App is not connected to this company' });
  });
});

describe('client-credentials (service account) tokens', () => {
  it('reach only companies where the app is installed, as that company’s service account', async () => {
    const token = await t.serviceToken();
    const companies = (await t.api(token, '/rest/v1.0/companies')).json() as Array<{ id: number }>;
    expect(companies.map((c) => c.id).sort()).toEqual([ACME, SUMMIT]);
    expect((await t.api(token, usersUrl(LAKESHORE), { companyId: LAKESHORE })).statusCode).toBe(403);

    const me = (await t.api(token, '/rest/v1.0/me', { companyId: ACME })).json();
    const acme = await t.companySummary(ACME);
    expect(me.id).toBe(acme.service_account_user_id);
    const users = (
      await t.api(token, `${usersUrl(ACME)}?per_page=1000`, { companyId: ACME })
    ).json() as Array<{
      id: number;
      is_employee: boolean;
      name: string;
    }>;
    const dmsa = users.find((u) => u.id === me.id);
    expect(dmsa?.is_employee).toBe(false);
    expect(dmsa?.name.startsWith('Worker Sync')).toBe(true);
  });

  it('follows installs and uninstalls', async () => {
    const token = await t.serviceToken();
    await t.control('POST', `/_sandbox/companies/${LAKESHORE}/install`);
    expect((await t.api(token, usersUrl(LAKESHORE), { companyId: LAKESHORE })).statusCode).toBe(200);
    await t.control('POST', `/_sandbox/companies/${LAKESHORE}/uninstall`);
    const res = await t.api(token, usersUrl(LAKESHORE), { companyId: LAKESHORE });
    expect(res.statusCode).toBe(403);
  });
});

describe('rate limits', () => {
  it('counts down X-Rate-Limit-Remaining, then 429s until X-Rate-Limit-Reset', async () => {
    await t.control('PATCH', '/_sandbox/settings', { rateLimit: { spike: 3, spikeWindowSeconds: 1 } });
    try {
      const { access_token } = await t.signIn(adminId);
      const seen: number[] = [];
      let last = await t.api(access_token, usersUrl(ACME), { companyId: ACME });
      seen.push(Number(last.headers['x-rate-limit-remaining']));
      for (let i = 0; i < 3; i++) {
        last = await t.api(access_token, i === 1 ? '/rest/v1.3/companies/999/users' : usersUrl(ACME), {
          companyId: i === 1 ? 999 : ACME,
        });
        seen.push(Number(last.headers['x-rate-limit-remaining']));
      }
      expect(seen.slice(0, 3)).toEqual([2, 1, 0]); // a 404 counts too
      expect(last.statusCode).toBe(429);
      expect(last.headers['x-rate-limit-limit']).toBe('3');
      const reset = Number(last.headers['x-rate-limit-reset']);
      const nowSec = Date.now() / 1000;
      expect(reset).toBeGreaterThanOrEqual(Math.floor(nowSec));
      expect(reset).toBeLessThanOrEqual(Math.ceil(nowSec) + 1);
      await new Promise((r) => setTimeout(r, reset * 1000 - Date.now() + 50));
      const after = await t.api(access_token, usersUrl(ACME), { companyId: ACME });
      expect(after.statusCode).toBe(200);
    } finally {
      await t.control('PATCH', '/_sandbox/settings', { rateLimit: { spike: 100, spikeWindowSeconds: 10 } });
    }
  });

  it('reports the hourly window once it is closer to exhaustion than the spike window', async () => {
    await t.control('PATCH', '/_sandbox/settings', { rateLimit: { hourly: 5 } });
    try {
      const { access_token } = await t.signIn(adminId);
      const res = await t.api(access_token, '/rest/v1.0/me');
      expect(res.headers['x-rate-limit-limit']).toBe('5');
      expect(res.headers['x-rate-limit-remaining']).toBe('4');
      const reset = Number(res.headers['x-rate-limit-reset']);
      expect(reset - Date.now() / 1000).toBeGreaterThan(3500);
    } finally {
      await t.control('PATCH', '/_sandbox/settings', { rateLimit: { hourly: 3600 } });
    }
  });

  it('limits the service account per company', async () => {
    await t.control('PATCH', '/_sandbox/settings', { rateLimit: { spike: 2 } });
    try {
      const token = await t.serviceToken();
      await t.api(token, usersUrl(ACME), { companyId: ACME });
      await t.api(token, usersUrl(ACME), { companyId: ACME });
      expect((await t.api(token, usersUrl(ACME), { companyId: ACME })).statusCode).toBe(429);
      expect((await t.api(token, usersUrl(SUMMIT), { companyId: SUMMIT })).statusCode).toBe(200);
    } finally {
      await t.control('PATCH', '/_sandbox/settings', { rateLimit: { spike: 100 } });
    }
  });
});
