import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACME, type TestSandbox, testSandbox } from './helpers';
import { type Receiver, startReceiver, waitFor } from './receiver';

let t: TestSandbox;
let rx: Receiver;
let token: string;
let adminId: number;
const hooksUrl = `/rest/v2.0/companies/${ACME}/webhooks/hooks`;
const SECRET = 'Bearer whsec-0123456789abcdef';

// Fast webhooks: backoff 1 s → 10 ms; timeouts stay sane for a real local HTTP call.
const FAST = {
  timeScale: 0.01,
  timeoutMs: 50_000,
  duplicateShare: 0,
  outOfOrder: false,
  retryWindowMs: 12 * 3_600_000,
};

beforeAll(async () => {
  t = await testSandbox({ settings: { webhooks: FAST } });
  adminId = (await t.companySummary(ACME)).admin_user_ids[0] as number;
});
afterAll(() => t.sb.app.close());
beforeEach(async () => {
  rx = await startReceiver();
  await t.control('POST', '/_sandbox/reset', { settings: { webhooks: FAST } });
  token = await t.serviceToken();
});
afterEach(() => rx.close());

async function hookWithTriggers(payloadVersion = 'v2.0') {
  const hook = await t.api(token, hooksUrl, {
    companyId: ACME,
    method: 'POST',
    body: {
      payload_version: payloadVersion,
      namespace: 'worker-sync',
      destination_url: rx.url,
      destination_headers: { Authorization: SECRET },
    },
  });
  expect(hook.statusCode).toBe(201);
  const id = hook.json().data.id as string;
  const bulk = await t.api(token, `${hooksUrl}/${id}/triggers/bulk`, {
    companyId: ACME,
    method: 'POST',
    body: ['create', 'update', 'delete'].map((event_type) => ({
      resource_name: 'Company Users',
      event_type,
    })),
  });
  expect(bulk.statusCode).toBe(201);
  return id;
}

async function someUserId(): Promise<number> {
  const users = (
    await t.api(token, `/rest/v1.3/companies/${ACME}/users?per_page=5`, { companyId: ACME })
  ).json();
  return users[2].id;
}

describe('hooks and triggers (v2.0)', () => {
  it('creates, shows (secret masked), lists, disables and deletes a hook', async () => {
    const id = await hookWithTriggers();
    expect(typeof id).toBe('string');
    const shown = (await t.api(token, `${hooksUrl}/${id}`, { companyId: ACME })).json().data;
    expect(shown).toMatchObject({
      id,
      status: 'active',
      payload_version: 'v2.0',
      trigger_count: 3,
      company_id: String(ACME),
    });
    expect(shown.destination_headers.Authorization.endsWith(SECRET.slice(-5))).toBe(true);
    expect(shown.destination_headers.Authorization).not.toContain('whsec');
    const list = (await t.api(token, hooksUrl, { companyId: ACME })).json();
    expect(list.data.map((h: { id: string }) => h.id)).toContain(id);
    const triggers = (await t.api(token, `${hooksUrl}/${id}/triggers`, { companyId: ACME })).json().data;
    expect(triggers).toHaveLength(3);
    expect(typeof triggers[0].id).toBe('string');
    const patched = await t.api(token, `${hooksUrl}/${id}`, {
      companyId: ACME,
      method: 'PATCH',
      body: { status: 'disabled' },
    });
    expect(patched.json().data.status).toBe('disabled');
    const del = await t.api(token, `${hooksUrl}/${id}`, { companyId: ACME, method: 'DELETE' });
    expect(del.statusCode).toBe(204);
    const gone = await t.api(token, `${hooksUrl}/${id}`, { companyId: ACME });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('NOT_FOUND');
  });

  it('refuses a bad hook body with the v2 error envelope', async () => {
    const res = await t.api(token, hooksUrl, {
      companyId: ACME,
      method: 'POST',
      body: { payload_version: 'v2.0', namespace: 'Bad Namespace', destination_url: 'nope' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
    expect(res.json().error.details.length).toBeGreaterThan(0);
  });

  it('deletes one trigger and triggers in bulk', async () => {
    const id = await hookWithTriggers();
    const triggers = (await t.api(token, `${hooksUrl}/${id}/triggers`, { companyId: ACME })).json()
      .data as Array<{ id: string }>;
    const one = await t.api(token, `${hooksUrl}/${id}/triggers/${triggers[0]?.id}`, {
      companyId: ACME,
      method: 'DELETE',
    });
    expect(one.statusCode).toBe(204);
    const bulk = await t.api(token, `${hooksUrl}/${id}/triggers/bulk`, {
      companyId: ACME,
      method: 'DELETE',
      body: triggers.slice(1).map((x) => x.id),
    });
    expect(bulk.json().data.succeeded).toHaveLength(2);
  });

  it('lists resources for a payload version', async () => {
    const res = await t.api(token, `/rest/v2.0/companies/${ACME}/webhooks/resources?payload_version=v4.0`, {
      companyId: ACME,
    });
    expect(res.json().data.map((r: { name: string }) => r.name)).toContain('Company Users');
  });
});

describe('deliveries', () => {
  it('POSTs a v2.0 event with the hook’s Authorization header when a user changes', async () => {
    await hookWithTriggers('v2.0');
    const userId = await someUserId();
    await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${userId}`, {
      mobile_phone: '(312) 555-0000',
    });
    await waitFor(() => rx.received.length >= 1);
    const [first] = rx.received;
    expect(first?.headers.authorization).toBe(SECRET);
    expect(first?.headers['content-type']).toContain('application/json');
    const body = first?.body as Record<string, unknown> & { metadata: Record<string, unknown> };
    expect(body).toMatchObject({
      api_version: 'v2.0',
      event_type: 'update',
      resource_name: 'Company Users',
      resource_id: userId,
      company_id: ACME,
    });
    expect(Number.isInteger(body.id)).toBe(true);
    expect(String(body.ulid)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(body.metadata.source_application_id).toBeNull();
  });

  it('sends v4.0 payloads with string ids and reason/resource_type; marks the app’s own writes', async () => {
    await hookWithTriggers('v4.0');
    const userId = await someUserId();
    const { access_token } = await t.signIn(adminId);
    const res = await t.api(access_token, `/rest/v1.3/companies/${ACME}/users/${userId}`, {
      companyId: ACME,
      method: 'PATCH',
      body: { user: { job_title: 'Lead Carpenter' } },
    });
    expect(res.statusCode).toBe(200);
    await waitFor(() => rx.received.length >= 1);
    const body = rx.received[0]?.body;
    expect(body).toMatchObject({
      reason: 'update',
      resource_type: 'Company Users',
      resource_id: String(userId),
      company_id: String(ACME),
      user_id: String(adminId),
    });
    expect(typeof body?.id).toBe('string');
  });

  it('emits create, update on deactivation, and delete', async () => {
    await hookWithTriggers();
    const created = await t.control('POST', `/_sandbox/companies/${ACME}/users`, {
      first_name: 'Nora',
      last_name: 'Quinn',
      email_address: 'nora.quinn@acmebuilders.example',
      is_employee: true,
    });
    const id = created.json().id;
    await t.control('POST', `/_sandbox/companies/${ACME}/users/${id}/deactivate`);
    await t.control('DELETE', `/_sandbox/companies/${ACME}/users/${id}`);
    await waitFor(() => rx.received.length >= 3);
    const events = rx.received.map((r) => r.body.event_type).sort();
    expect(events).toEqual(['create', 'delete', 'update']);
    expect(rx.received.every((r) => r.body.resource_id === id)).toBe(true);
  });

  it('retries a failing destination with growing delays until it answers 2xx', async () => {
    const id = await hookWithTriggers();
    rx.respond = (n) => (n <= 3 ? 500 : 200);
    await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${await someUserId()}`, {
      job_title: 'Foreman',
    });
    await waitFor(() => rx.received.length >= 4);
    const gaps = rx.received.slice(1).map((r, i) => r.at - (rx.received[i]?.at ?? 0));
    // backoff 1 s, 2 s, 4 s at time scale 0.01 → ≈10, 20, 40 ms
    expect(gaps[0]).toBeGreaterThanOrEqual(8);
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? 0);
    expect(new Set(rx.received.map((r) => r.body.ulid)).size).toBe(1);
    await waitFor(async () => {
      const list = (await t.api(token, `${hooksUrl}/${id}/deliveries`, { companyId: ACME })).json().data;
      return list[0]?.status === 'delivered';
    });
    const [delivery] = (
      await t.api(token, `${hooksUrl}/${id}/deliveries?filter[status]=succeeded`, { companyId: ACME })
    ).json().data;
    expect(delivery.delivery_attempts).toHaveLength(4);
    expect(delivery.delivery_attempts.map((a: { success: boolean }) => a.success)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(delivery.payload.resource_name).toBe('Company Users');
  });

  it('treats a destination slower than the timeout as failed and retries', async () => {
    await t.control('PATCH', '/_sandbox/settings', { webhooks: { timeoutMs: 10_000 } }); // 100 ms at this scale
    await hookWithTriggers();
    rx.respond = (n) => (n === 1 ? 'hang' : 204);
    await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${await someUserId()}`, {
      job_title: 'Foreman',
    });
    await waitFor(() => rx.received.length >= 2);
    const { items } = (await t.control('GET', `/_sandbox/deliveries?company_id=${ACME}`)).json();
    await waitFor(
      async () => (await t.control('GET', '/_sandbox/deliveries')).json().items[0].status === 'delivered',
    );
    const [d] = (await t.control('GET', '/_sandbox/deliveries')).json().items;
    expect(items).toHaveLength(1);
    expect(d.attempts[0].error).toMatch(/timed out/);
    expect(d.attempts[1].response_status).toBe(204);
  });

  it('discards an event once the retry window is over', async () => {
    // 12 h window scaled to 300 ms at a 1 s→… backoff of 10, 20, 40, 80, 160 ms.
    await t.control('PATCH', '/_sandbox/settings', { webhooks: { retryWindowMs: 30_000 } });
    const id = await hookWithTriggers();
    rx.respond = () => 503;
    await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${await someUserId()}`, {
      job_title: 'Foreman',
    });
    await waitFor(
      async () => (await t.control('GET', '/_sandbox/deliveries')).json().items[0]?.status === 'discarded',
      3000,
    );
    const attemptsAtDiscard = rx.received.length;
    expect(attemptsAtDiscard).toBeGreaterThan(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received.length).toBe(attemptsAtDiscard);
    const v2 = (
      await t.api(token, `${hooksUrl}/${id}/deliveries?filter[status]=discarded`, { companyId: ACME })
    ).json().data;
    expect(v2).toHaveLength(1);
  });

  it('does not deliver to a disabled hook', async () => {
    const id = await hookWithTriggers();
    await t.api(token, `${hooksUrl}/${id}`, {
      companyId: ACME,
      method: 'PATCH',
      body: { status: 'disabled' },
    });
    await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${await someUserId()}`, {
      job_title: 'Foreman',
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.received).toHaveLength(0);
    expect((await t.control('GET', '/_sandbox/deliveries')).json().items).toHaveLength(0);
  });

  it('delivers a configured share twice (at least once), with the same ulid', async () => {
    await t.control('PATCH', '/_sandbox/settings', { webhooks: { duplicateShare: 1 } });
    await hookWithTriggers();
    await t.control('POST', `/_sandbox/companies/${ACME}/users/${await someUserId()}/deactivate`);
    await waitFor(() => rx.received.length >= 2);
    expect(rx.received[0]?.body.ulid).toBe(rx.received[1]?.body.ulid);
  });

  it('can deliver out of order', async () => {
    await t.control('PATCH', '/_sandbox/settings', {
      webhooks: { outOfOrder: true, reorderWindowMs: 20_000 },
    }); // up to 200 ms
    await hookWithTriggers();
    const userId = await someUserId();
    for (let i = 0; i < 12; i++) {
      await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${userId}`, { job_title: `Title ${i}` });
    }
    await waitFor(() => rx.received.length >= 12, 3000);
    const ids = rx.received.map((r) => r.body.id as number);
    expect(ids).not.toEqual([...ids].sort((a, b) => a - b));
  });
});
