import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import type { CompanySession, ProcoreClient } from '../../../server/procore/client';
import { ProcoreNotFoundError, ProcoreValidationError } from '../../../server/procore/errors';
import type { RunningSandbox } from '../../../server/sandbox';
import { freshDatabase } from '../../helpers/db';
import { ACME, control, requests, sandboxClient, startTestSandbox } from './helpers/sandbox';

/**
 * Every endpoint the product uses, once, against the sandbox: the request reaches the documented
 * path with `Procore-Company-Id`, and the answer fits its schema (procore-api.md §1–§6).
 */
describe('Procore endpoints', () => {
  let sandbox: RunningSandbox;
  let handle: DatabaseHandle;
  let client: ProcoreClient;
  let acme: CompanySession;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    handle = await freshDatabase('pglite');
    client = sandboxClient(sandbox, handle.db);
    acme = client.forCompany(ACME);
  });
  afterAll(async () => {
    await sandbox?.close();
    await handle?.close();
  });

  it('directory: me, companies, company me, users', async () => {
    const me = await acme.me();
    const companyMe = await acme.companyMe();
    expect(companyMe.id).toBe(me.id);
    const companies = await client.installedCompanies().toArray();
    expect(companies.map((c) => c.id)).toContain(ACME);
    const users = await acme.listCompanyUsers().toArray();
    expect(users.length).toBeGreaterThan(100);
    const one = await acme.getCompanyUser(users[0]!.id);
    expect(one.id).toBe(users[0]!.id);
    const inactive = await acme.listInactiveCompanyUsers().toArray();
    expect(inactive.every((u) => u.is_active === false)).toBe(true);
    await expect(acme.getCompanyUser('1')).rejects.toBeInstanceOf(ProcoreNotFoundError);
    const log = await requests(sandbox, '/rest/');
    // Company discovery is the one call made for no company (§1.4).
    const scoped = log.filter((r) => r.path !== '/rest/v1.0/companies');
    expect(scoped.every((r) => r.company_id === Number(ACME))).toBe(true);
  });

  it('work classifications: list, create, and a refused create', async () => {
    const before = await acme.listWorkClassifications().toArray();
    expect(before.map((c) => c.name)).toContain('Carpenter');
    const made = await acme.createWorkClassification({ name: 'Welder', abbreviation: 'WLD' });
    expect(made).toMatchObject({ name: 'Welder', id: expect.stringMatching(/^\d+$/) });
    const error = await acme.createWorkClassification({ name: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcoreValidationError);
    expect((error as ProcoreValidationError).messages.length).toBeGreaterThan(0);
  });

  it('projects and people: list, create, update', async () => {
    const projects = await acme.listProjects().toArray();
    expect(projects.length).toBeGreaterThan(0);
    const person = await acme.createPerson({
      last_name: 'Okafor',
      first_name: 'Ada',
      origin_id: 'worker-77',
      is_employee: true,
    });
    expect(person).toMatchObject({ last_name: 'Okafor', user_id: null });
    const updated = await acme.updatePerson(person.id, { employee_id: 'P-77' });
    expect(updated.employee_id).toBe('P-77');
    const found = await acme.listPeople({ search: 'Okafor' }).toArray();
    expect(found.map((p) => p.id)).toContain(person.id);
  });

  it('timecards: time types, create, update, list, bulk create', async () => {
    const [project] = await acme.listProjects().toArray();
    const [person] = await acme.listPeople({ isEmployee: true }).toArray();
    const types = await acme.listTimeTypes();
    expect(types.length).toBeGreaterThan(0);
    const entry = await acme.createTimecardEntry(project!.id, {
      date: '2026-11-02',
      hours: '8',
      party_id: person!.id,
      timecard_time_type_id: types[0]!.id,
      origin_id: 1001,
    });
    expect(entry.hours).toMatch(/^8(\.0+)?$/);
    const changed = await acme.updateTimecardEntry(entry.id, { hours: '7.5' });
    expect(Number(changed.hours)).toBe(7.5);
    const listed = await acme
      .listTimecardEntries({ partyIds: [person!.id], startDate: '2026-11-01', endDate: '2026-11-30' })
      .toArray();
    expect(listed.map((e) => e.id)).toContain(entry.id);
    const bulk = await acme.bulkCreateTimecardEntries([
      { project_id: project!.id, party_id: person!.id, date: '2026-11-03', hours: '6' },
      { project_id: project!.id, party_id: person!.id, date: '2026-11-04', hours: '4' },
    ]);
    expect(bulk).toHaveLength(2);
  });

  it('webhooks v2.0: hook and triggers, create to delete, and deliveries', async () => {
    const hook = await acme.createHook({
      namespace: 'worker-sync-test',
      destinationUrl: 'http://127.0.0.1:9/webhooks/procore',
      authorization: 'Bearer secret-value',
    });
    expect(hook).toMatchObject({ namespace: 'worker-sync-test', payload_version: 'v4.0' });
    expect((await acme.listHooks({ namespace: 'worker-sync-test' }).toArray()).map((h) => h.id)).toEqual([
      hook.id,
    ]);
    expect((await acme.getHook(hook.id)).id).toBe(hook.id);
    const disabled = await acme.updateHook(hook.id, { status: 'disabled' });
    expect(disabled.status).toBe('disabled');

    const one = await acme.createTrigger(hook.id, { resource_name: 'Company Users', event_type: 'create' });
    const more = await acme.createTriggers(hook.id, [
      { resource_name: 'Company Users', event_type: 'update' },
      { resource_name: 'Company Users', event_type: 'delete' },
    ]);
    expect(more).toHaveLength(2);
    expect(await acme.listTriggers(hook.id).toArray()).toHaveLength(3);
    await acme.deleteTrigger(hook.id, one.id);
    const removed = await acme.deleteTriggers(
      hook.id,
      more.map((t) => t.id),
    );
    expect([...removed.succeeded].sort()).toEqual(more.map((t) => t.id).sort());
    expect(await acme.listDeliveries(hook.id).toArray()).toEqual(expect.any(Array));
    await acme.deleteHook(hook.id);
    await expect(acme.getHook(hook.id)).rejects.toBeInstanceOf(ProcoreNotFoundError);
  });

  it('oauth: token info, and a revoked service token is replaced', async () => {
    const token = await client.tokens.serviceAuth(ACME).accessToken();
    const info = await client.oauth.tokenInfo(token);
    expect(info.application?.uid).toBe('sandbox-client');
    await client.oauth.revoke(token, ACME);
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    await expect(acme.companyMe()).resolves.toBeDefined();
    expect((await requests(sandbox)).map((r) => r.status)).toEqual([401, 200, 200]);
  });
});
