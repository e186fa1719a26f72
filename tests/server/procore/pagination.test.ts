import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import type { ProcoreClient } from '../../../server/procore/client';
import type { RunningSandbox } from '../../../server/sandbox';
import { freshDatabase } from '../../helpers/db';
import { control, requests, sandboxClient, startTestSandbox } from './helpers/sandbox';

/** Pagination edges against the sandbox (procore-api.md §2.4): every user exactly once. */
describe('pagination over company users', () => {
  let sandbox: RunningSandbox;
  let handle: DatabaseHandle;
  let client: ProcoreClient;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    handle = await freshDatabase('pglite');
    client = sandboxClient(sandbox, handle.db);
  });
  afterAll(async () => {
    await sandbox?.close();
    await handle?.close();
  });

  /** A fresh installed company with exactly `active` active users (its service account included). */
  async function companyWith(active: number): Promise<string> {
    const created = await control<{ id: number }>(sandbox, 'POST', '/_sandbox/companies', {
      name: `Co ${active}`,
    });
    const company = sandbox.handle.state.company(created.id)!;
    for (let i = company.users.size; i < active; i++) {
      sandbox.handle.directory.createUser(
        company,
        { last_name: `Worker ${i}`, first_name: 'Test', is_employee: true },
        { userId: null, applicationId: null },
      );
    }
    expect([...company.users.values()].filter((u) => u.is_active)).toHaveLength(active);
    return String(created.id);
  }

  async function collect(companyId: string, perPage?: number) {
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client.forCompany(companyId).listCompanyUsers({ perPage }).pages()) {
      pages += 1;
      ids.push(...page.items.map((u) => u.id));
    }
    const expected = [...sandbox.handle.state.company(Number(companyId))!.users.values()]
      .filter((u) => u.is_active)
      .map((u) => String(u.id));
    expect(new Set(ids).size).toBe(ids.length); // no user twice
    expect([...ids].sort()).toEqual([...expected].sort()); // every user
    const calls = (await requests(sandbox, '/rest/v1.3/')).length;
    return { count: ids.length, pages, calls };
  }

  it('yields nothing for an empty list, in one request', async () => {
    const companyId = await companyWith(1);
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const inactive = await client.forCompany(companyId).listInactiveCompanyUsers().toArray();
    expect(inactive).toEqual([]);
    const changed = await client
      .forCompany(companyId)
      .listCompanyUsers({ updatedSince: new Date(Date.now() + 3_600_000) })
      .toArray();
    expect(changed).toEqual([]);
    expect(await requests(sandbox, '/rest/')).toHaveLength(2);
  });

  it('reads exactly one full page of 100 in one request', async () => {
    const companyId = await companyWith(100);
    expect(await collect(companyId, 100)).toEqual({ count: 100, pages: 1, calls: 1 });
  });

  it('reads one more than a page (101) in two requests', async () => {
    const companyId = await companyWith(101);
    expect(await collect(companyId, 100)).toEqual({ count: 101, pages: 2, calls: 2 });
  });

  it('reads 5,000 users in pages of 1,000 (the default)', async () => {
    const companyId = await companyWith(5000);
    expect(await collect(companyId)).toEqual({ count: 5000, pages: 5, calls: 5 });
    expect(await collect(companyId, 100)).toEqual({ count: 5000, pages: 50, calls: 50 });
  });

  it('asks Procore for the next page while the caller still works on the current one', async () => {
    const companyId = await companyWith(250);
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const pages = client.forCompany(companyId).listCompanyUsers({ perPage: 100 }).pages();
    const first = await pages.next();
    expect(first.value?.items).toHaveLength(100);
    // The caller has not asked for page 2 yet, and Procore is already answering it.
    await expect.poll(async () => (await requests(sandbox, '/rest/v1.3/')).length).toBe(2);
    const rest: number[] = [];
    for (let p = await pages.next(); !p.done; p = await pages.next()) rest.push(p.value.items.length);
    expect(rest).toEqual([100, 50]);
    expect(await requests(sandbox, '/rest/v1.3/')).toHaveLength(3);
  });

  it('filters by updated_at so an hourly run reads only what changed', async () => {
    const companyId = await companyWith(20);
    const company = sandbox.handle.state.company(Number(companyId))!;
    const since = new Date(Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 1100));
    const target = [...company.users.values()].find((u) => !u.isServiceAccount)!;
    sandbox.handle.directory.updateUser(
      company,
      target.id,
      { job_title: 'Foreman' },
      { userId: null, applicationId: null },
    );
    const changed = await client.forCompany(companyId).listCompanyUsers({ updatedSince: since }).toArray();
    expect(changed.map((u) => u.id)).toEqual([String(target.id)]);
  });
});
