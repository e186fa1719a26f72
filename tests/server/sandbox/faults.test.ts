import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../../server/sandbox';
import { ACME, CLIENT } from './helpers';

let sandbox: RunningSandbox;
let token: string;
const usersPath = `/rest/v1.3/companies/${ACME}/users?per_page=50`;

const call = (path = usersPath, init: RequestInit = {}) =>
  fetch(`${sandbox.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'procore-company-id': String(ACME),
      ...(init.headers ?? {}),
    },
  });
const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, appUrl: 'http://localhost:3000', logLevel: 'silent' });
  const res = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...CLIENT }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await control('DELETE', '/_sandbox/faults');
});

describe('faults on demand', () => {
  it('adds latency to one route', async () => {
    await control('POST', '/_sandbox/faults', {
      kind: 'latency',
      method: 'GET',
      path: '/rest/v1.3/companies/*/users',
      latency_ms: 300,
    });
    const start = Date.now();
    const slow = await call();
    expect(slow.status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    const other = Date.now();
    await call('/rest/v1.0/me');
    expect(Date.now() - other).toBeLessThan(250);
  });

  it.each([500, 502, 503])('answers %i with Retry-After, a limited number of times', async (status) => {
    await control('POST', '/_sandbox/faults', { kind: 'error', status, retry_after: 7, times: 2 });
    const first = await call();
    expect(first.status).toBe(status);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(((await first.json()) as { code: number }).code).toBe(status);
    expect((await call()).status).toBe(status);
    expect((await call()).status).toBe(200);
  });

  it('drops the connection', async () => {
    await control('POST', '/_sandbox/faults', { kind: 'drop', path: '/rest/**', times: 1 });
    await expect(call()).rejects.toThrow();
    expect((await call()).status).toBe(200);
  });

  it('sends the body slowly', async () => {
    await control('POST', '/_sandbox/faults', { kind: 'slow_body', duration_ms: 400, times: 1 });
    const start = Date.now();
    const res = await call();
    const headersAt = Date.now() - start;
    const body = (await res.json()) as unknown[];
    expect(body).toHaveLength(50);
    expect(Date.now() - start).toBeGreaterThanOrEqual(350);
    expect(headersAt).toBeLessThan(300);
  });

  it('hits only a share of requests', async () => {
    await control('POST', '/_sandbox/faults', { kind: 'error', status: 503, share: 0.5 });
    const statuses = await Promise.all(
      Array.from({ length: 60 }, () => call('/rest/v1.0/me').then((r) => r.status)),
    );
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
  });

  it('records faulted requests in the request log', async () => {
    await control('DELETE', '/_sandbox/requests');
    await control('POST', '/_sandbox/faults', { kind: 'error', status: 502, times: 1 });
    await call();
    await call();
    const { items } = (await (await control('GET', '/_sandbox/requests?path_prefix=/rest/')).json()) as {
      items: Array<{ status: number; fault: string | null; token_kind: string; company_id: number }>;
    };
    expect(items.map((r) => r.status)).toEqual([502, 200]);
    expect(items[0]).toMatchObject({ fault: 'error', token_kind: 'service_account', company_id: ACME });
  });
});
