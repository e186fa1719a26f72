import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, type TestSandbox, testSandbox } from './helpers';

let t: TestSandbox;
beforeAll(async () => {
  t = await testSandbox();
});
afterAll(() => t.sb.app.close());

describe('control API', () => {
  it('records the Procore requests received, filterable and clearable', async () => {
    const token = await t.serviceToken();
    await t.control('DELETE', '/_sandbox/requests');
    await t.api(token, `/rest/v1.3/companies/${ACME}/users`, { companyId: ACME });
    await t.api(token, `/rest/v1.3/companies/${ACME}/users?page=2`);
    const { items } = (await t.control('GET', '/_sandbox/requests?path_prefix=/rest/v1.3/')).json();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      method: 'GET',
      status: 200,
      token_kind: 'service_account',
      company_id: ACME,
    });
    expect(items[1]).toMatchObject({ status: 400, query: 'page=2' });
    const after = (await t.control('GET', `/_sandbox/requests?after_id=${items[0].id}`)).json().items;
    expect(after).toHaveLength(1);
  });

  it('creates, edits, deactivates and reactivates users', async () => {
    const created = await t.control('POST', `/_sandbox/companies/${ACME}/users`, {
      first_name: 'Ivy',
      last_name: 'Lund',
      email_address: 'ivy@acmebuilders.example',
      is_employee: true,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const edited = await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${id}`, {
      is_employee: false,
      employee_id: 'X1',
    });
    expect(edited.json()).toMatchObject({ is_employee: false, employee_id: 'X1' });
    expect(
      (await t.control('POST', `/_sandbox/companies/${ACME}/users/${id}/deactivate`)).json().is_active,
    ).toBe(false);
    expect(
      (await t.control('POST', `/_sandbox/companies/${ACME}/users/${id}/reactivate`)).json().is_active,
    ).toBe(true);
    const bad = await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${id}`, {
      work_classification_id: 1,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('invalid_input');
  });

  it('mints tokens and creates companies', async () => {
    const created = await t.control('POST', '/_sandbox/companies', { name: 'Empty Co', installed: true });
    expect(created.statusCode).toBe(201);
    const { access_token } = (await t.control('POST', '/_sandbox/tokens', { service_account: true })).json();
    const res = await t.api(access_token, `/rest/v1.3/companies/${created.json().id}/users`, {
      companyId: created.json().id,
    });
    expect(res.json()).toHaveLength(1); // only its service account
  });

  it('generates 50,000 users from a seed, the same way every time', async () => {
    const start = Date.now();
    await t.control('POST', '/_sandbox/reset', { users: 50_000, seed: 42 });
    const token = await t.serviceToken();
    const page = await t.api(token, `/rest/v1.3/companies/${ACME}/users?per_page=100&page=250`, {
      companyId: ACME,
    });
    expect(Number(page.headers.total)).toBe(50_002);
    const first = page.json().map((u: { email_address: string }) => u.email_address);
    await t.control('POST', '/_sandbox/reset', { users: 50_000, seed: 42 });
    const token2 = await t.serviceToken();
    const again = await t.api(token2, `/rest/v1.3/companies/${ACME}/users?per_page=100&page=250`, {
      companyId: ACME,
    });
    expect(again.json().map((u: { email_address: string }) => u.email_address)).toEqual(first);
    expect(Date.now() - start).toBeLessThan(8000);
    await t.control('POST', '/_sandbox/reset', {});
  });
});

describe('seed', () => {
  it('has the awkward users a sync must handle', async () => {
    const users = (await t.control('GET', `/_sandbox/companies/${ACME}/users`)).json().items as Array<{
      email_address: string | null;
      mobile_phone: string | null;
      is_employee: boolean;
      is_active: boolean;
      is_service_account: boolean;
      work_classification_id: number | null;
    }>;
    expect(users.length).toBeGreaterThanOrEqual(240);
    expect(users.some((u) => u.email_address === null)).toBe(true);
    expect(users.some((u) => u.mobile_phone === null)).toBe(true);
    expect(users.some((u) => u.email_address && !/^[^@]+@[^@]+\.[^@]+$/.test(u.email_address))).toBe(true);
    expect(users.some((u) => !u.is_employee && !u.is_service_account)).toBe(true);
    expect(users.some((u) => !u.is_active)).toBe(true);
    expect(users.filter((u) => u.is_service_account)).toHaveLength(1);
    const digits = users.map((u) => u.mobile_phone?.replace(/\D/g, '').slice(-10)).filter(Boolean);
    expect(new Set(digits).size).toBe(digits.length - 1);
    expect(users.filter((u) => u.work_classification_id !== null).length / users.length).toBeGreaterThan(0.7);
  });
});
