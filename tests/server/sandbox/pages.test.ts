import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, LAKESHORE, type TestSandbox, testSandbox } from './helpers';

let t: TestSandbox;
beforeAll(async () => {
  t = await testSandbox({ appUrl: 'http://localhost:3999' });
});
afterAll(() => t.sb.app.close());

describe('framing page', () => {
  it('frames the app for the chosen company, with a company switcher and tools menu', async () => {
    const res = await t.sb.app.inject({ url: `/?company_id=${ACME}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<iframe id="app"`);
    expect(res.body).toContain(`src="http://localhost:3999/?company_id=${ACME}"`);
    expect(res.body).toContain('Company Tools');
    expect(res.body).toContain('Summit Electric');
  });

  it('offers to install the app where it is not installed', async () => {
    const res = await t.sb.app.inject({ url: `/?company_id=${LAKESHORE}` });
    expect(res.body).not.toContain('<iframe');
    expect(res.body).toContain('not installed');
  });
});

describe('directory page', () => {
  it('edits a user and shows the webhook the change sent', async () => {
    const token = await t.serviceToken();
    const hook = await t.api(token, `/rest/v2.0/companies/${ACME}/webhooks/hooks`, {
      companyId: ACME,
      method: 'POST',
      body: { payload_version: 'v2.0', namespace: 'worker-sync', destination_url: 'http://127.0.0.1:9/none' },
    });
    await t.api(token, `/rest/v2.0/companies/${ACME}/webhooks/hooks/${hook.json().data.id}/triggers`, {
      companyId: ACME,
      method: 'POST',
      body: { resource_name: 'Company Users', event_type: 'update' },
    });
    const [user] = (await t.control('GET', `/_sandbox/companies/${ACME}/users?search=ortega`)).json().items;
    const save = await t.sb.app.inject({
      method: 'POST',
      url: `/directory/users/${user.id}?company_id=${ACME}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        first_name: 'Luis',
        last_name: 'Ortega-Diaz',
        email_address: user.email_address,
        mobile_phone: '(312) 555-0111',
        employee_id: '',
        work_classification_id: '',
        is_employee: 'on',
        is_active: 'on',
      }).toString(),
    });
    expect(save.statusCode).toBe(303);
    const shown = (
      await t.api(token, `/rest/v1.3/companies/${ACME}/users/${user.id}`, { companyId: ACME })
    ).json();
    expect(shown).toMatchObject({
      last_name: 'Ortega-Diaz',
      mobile_phone: '(312) 555-0111',
      employee_id: null,
      work_classification_id: null,
    });
    const page = await t.sb.app.inject({ url: save.headers.location as string });
    expect(page.body).toContain('Ortega-Diaz');
    expect(page.body).toMatch(/<b>update<\/b> Company Users #\d+/);
  });
});
