import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import { ProcoreNotConnectedError, ProcoreUnavailableError } from '../../../server/procore/errors';
import type { RunningSandbox } from '../../../server/sandbox';
import { freshDatabase } from '../../helpers/db';
import { ACME, control, requests, sandboxClient, startTestSandbox } from './helpers/sandbox';

/**
 * Retries against the sandbox's faults (procore-api.md §7, §8): the sandbox's request log counts
 * what actually reached "Procore".
 */
describe('Procore client resilience', () => {
  let sandbox: RunningSandbox;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    handle = await freshDatabase('pglite');
  });
  afterAll(async () => {
    await sandbox?.close();
    await handle?.close();
  });
  beforeEach(async () => {
    await control(sandbox, 'DELETE', '/_sandbox/faults');
    await control(sandbox, 'DELETE', '/_sandbox/rate-limits');
    await control(sandbox, 'DELETE', '/_sandbox/requests');
  });

  const fast = { http: { baseDelayMs: 20, maxDelayMs: 200 } };

  it('rides out a 503 with Retry-After: 2, waiting at least that long', async () => {
    const client = sandboxClient(sandbox, handle.db, fast);
    const session = client.forCompany(ACME);
    await session.me(); // token fetched, so only the retried call is timed
    await control(sandbox, 'POST', '/_sandbox/faults', {
      kind: 'error',
      status: 503,
      retry_after: 2,
      path: '/rest/v1.3/companies/*/me',
      times: 1,
    });
    const started = Date.now();
    const me = await session.companyMe();
    expect(me.id).toMatch(/^\d+$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const log = await requests(sandbox, '/rest/v1.3/companies');
    expect(log.map((r) => r.status)).toEqual([503, 200]);
  });

  it('ends in a typed error after the bounded attempts on a route that always fails', async () => {
    const client = sandboxClient(sandbox, handle.db, { http: { ...fast.http, maxAttempts: 4 } });
    await control(sandbox, 'POST', '/_sandbox/faults', {
      kind: 'error',
      status: 502,
      retry_after: null,
      path: '/rest/v1.3/companies/*/users/*',
    });
    const error = await client
      .forCompany(ACME)
      .getCompanyUser('8150001')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcoreUnavailableError);
    expect((error as ProcoreUnavailableError).attempts).toBe(4);
    expect((error as Error).message).toBe('Procore is not responding (502) after 4 attempts.');
    const log = await requests(sandbox, '/rest/v1.3/companies/4280001/users/');
    expect(log).toHaveLength(4);
    expect(log.every((r) => r.status === 502)).toBe(true);
  });

  it('retries dropped connections on reads, then gives up with the default 5 attempts', async () => {
    const client = sandboxClient(sandbox, handle.db, fast);
    const session = client.forCompany(ACME);
    await session.me();
    await control(sandbox, 'POST', '/_sandbox/faults', {
      kind: 'drop',
      path: '/rest/v1.3/companies/*/me',
      times: 2,
    });
    await expect(session.companyMe()).resolves.toMatchObject({ id: expect.any(String) });

    await control(sandbox, 'POST', '/_sandbox/faults', { kind: 'drop', path: '/rest/v1.3/companies/*/me' });
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const error = await session.companyMe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcoreUnavailableError);
    expect((error as Error).message).toMatch(/connection dropped\) after 5 attempts/);
    expect(await requests(sandbox, '/rest/v1.3/companies')).toHaveLength(5);
  });

  it('does not resend a POST that may have landed, and says so', async () => {
    const client = sandboxClient(sandbox, handle.db, fast);
    const session = client.forCompany(ACME);
    await session.me();
    await control(sandbox, 'POST', '/_sandbox/faults', {
      kind: 'error',
      status: 500,
      retry_after: null,
      method: 'POST',
      path: '/rest/v2.0/companies/*/webhooks/hooks',
    });
    const error = await session
      .createHook({ namespace: 'worker-sync', destinationUrl: 'http://localhost:3000/webhooks/procore' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcoreUnavailableError);
    expect((error as ProcoreUnavailableError).mayHaveApplied).toBe(true);
    expect((error as ProcoreUnavailableError).attempts).toBe(1);
    const posts = (await requests(sandbox, '/rest/v2.0/companies')).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
  });

  it('reports an uninstalled company as not connected, without retrying', async () => {
    const client = sandboxClient(sandbox, handle.db, fast);
    const created = await control<{ id: number }>(sandbox, 'POST', '/_sandbox/companies', {
      name: 'Gone Co',
    });
    const session = client.forCompany(String(created.id));
    await session.companyMe();
    await control(sandbox, 'POST', `/_sandbox/companies/${created.id}/uninstall`);
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const error = await session.companyMe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcoreNotConnectedError);
    expect((error as Error).message).toMatch(/not connected to this Procore company/);
    expect(await requests(sandbox, '/rest/')).toHaveLength(1);
  });

  it('fetches a new service token once after a 401, then carries on', async () => {
    const client = sandboxClient(sandbox, handle.db, fast);
    const session = client.forCompany(ACME);
    await session.me();
    // Expire every token the sandbox has issued.
    await control(sandbox, 'POST', '/_sandbox/clock', { advance_seconds: 6000 });
    try {
      await control(sandbox, 'DELETE', '/_sandbox/requests');
      await expect(session.companyMe()).resolves.toMatchObject({ id: expect.any(String) });
      const log = await requests(sandbox);
      expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'GET /rest/v1.3/companies/4280001/me 401',
        'POST /oauth/token 200',
        'GET /rest/v1.3/companies/4280001/me 200',
      ]);
    } finally {
      await control(sandbox, 'POST', '/_sandbox/clock', { advance_seconds: -6000 });
    }
  });
});
