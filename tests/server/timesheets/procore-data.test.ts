import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import type { Services } from '../../../server/services';
import { changeSettings } from '../../../server/settings/settings.service';
import { seedSandboxWeek } from '../../../server/timesheets/sandbox-seed';
import { createTimesheet, listWeek } from '../../../server/timesheets/timesheets.service';
import { createLocalWorker } from '../../../server/workers/workers.service';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET, testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';
import { ACME, type SyncSandbox, startSyncSandbox } from '../../helpers/sync-sandbox';
import { sendTimesheets } from '../../helpers/timesheet-send';

/**
 * What the timesheets read from Procore besides projects: a project's cost codes (picked on the
 * grid, sent on the entry), people deactivated in Procore (never a second contact), and the
 * sandbox's demo crew and week.
 */
interface Person {
  id: number;
  origin_id: string | null;
}

describeEachDatabase('timesheets and Procore data', ({ db }) => {
  let sb: SyncSandbox;
  let app: FastifyInstance & { services: Services };
  let services: Services;
  let projects: number[];
  let token: string;
  let auth: string;

  const rest = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const res = await fetch(`${sb.sandbox.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        'procore-company-id': ACME,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const api = (url: string) =>
    app.inject({ method: 'GET', url: `/api/companies/${ACME}${url}`, headers: { authorization: auth } });

  const send = (projectId: number, from: string, to: string) =>
    sendTimesheets(services, ACME, { projectId, from, to });

  beforeAll(async () => {
    sb = await startSyncSandbox();
    const summary = await sb.control(`/_sandbox/companies/${ACME}`);
    projects = summary.project_ids;
    await newCompany(db().db, {
      id: ACME,
      name: summary.name,
      serviceAccountUserId: String(summary.service_account_user_id),
    });
    await db()
      .db.updateTable('companies')
      .set({ connection_state: 'connected' })
      .where('id', '=', ACME)
      .execute();
    app = await buildTestApp(db(), { config: testConfig({ SANDBOX_PORT: String(sb.port) }) });
    services = app.services;
    token = (await sb.control('/_sandbox/tokens', { method: 'POST', body: { service_account: true } }))
      .access_token;
    const session = await issueSession(sessionKey(TEST_APP_SECRET), {
      companyId: ACME,
      procoreUserId: '8150001',
      userName: 'Dana Whitfield',
      isAdmin: true,
    });
    auth = `Bearer ${session.token}`;
    await changeSettings(db().db, ACME, { includeSubWorkers: true, onlyApproved: false });
  });
  afterAll(async () => {
    await app?.close();
    await sb?.close();
  });

  it("lists a project's cost codes, without the divisions that group them, and sends the one picked", async () => {
    const res = await api(`/projects/${projects[0]}/cost-codes`);
    expect(res.statusCode).toBe(200);
    const { costCodes } = res.json() as { costCodes: Array<{ id: string; code: string; name: string }> };
    expect(costCodes.map((c) => c.code)).toEqual([
      '01-100',
      '01-500',
      '03-100',
      '03-300',
      '06-100',
      '09-200',
      '09-900',
    ]);
    expect(costCodes[2]).toMatchObject({ name: 'Concrete Forming', id: expect.stringMatching(/^\d+$/) });
    // Each project has codes of its own.
    const other = (await api(`/projects/${projects[1]}/cost-codes`)).json().costCodes as typeof costCodes;
    expect(other.map((c) => c.id)).not.toContain(costCodes[0]!.id);

    const w = await createLocalWorker(db().db, ACME, {
      firstName: 'Cora',
      lastName: 'Lindqvist',
      phone: '+1 312 555 0481',
      email: null,
      payrollId: 'CC-1',
      positionId: null,
    });
    const t = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-10-05',
      hours: 8,
      costCodeId: costCodes[2]!.id,
    });
    const { log } = await send(projects[0]!, '2026-10-05', '2026-10-11');
    expect(log.map((e) => e.action)).toEqual(['created']);
    const entries = (await sb.control(`/_sandbox/companies/${ACME}/timecards`)).items as Array<{
      origin_id: number;
      cost_code: { id: number; full_code: string } | null;
    }>;
    expect(entries.find((e) => e.origin_id === Number(t.id))?.cost_code).toMatchObject({
      id: Number(costCodes[2]!.id),
      full_code: '03-100',
    });
  });

  it('answers 404 for a project the company does not have', async () => {
    const res = await api('/projects/999999999/cost-codes');
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('finds a contact deactivated in Procore by origin_id instead of making a second one', async () => {
    const w = await createLocalWorker(db().db, ACME, {
      firstName: 'Piet',
      lastName: 'Hendriks',
      phone: '+1 312 555 0482',
      email: null,
      payrollId: 'INACT-1',
      positionId: null,
    });
    // A contact made for this worker earlier (say by a send whose answer was lost), since
    // deactivated by someone in Procore.
    const made = await rest<Person>(`/rest/v1.0/companies/${ACME}/people`, {
      method: 'POST',
      body: { person: { first_name: 'Piet', last_name: 'Hendriks', origin_id: w.id, active: false } },
    });
    const t = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-10-13',
      hours: 7,
    });
    const mark = await sb.lastRequestId();
    const { log } = await send(projects[0]!, '2026-10-12', '2026-10-18');
    expect(log.map((e) => e.action)).toEqual(['created']);
    const after = await sb.requestsAfter(mark);
    expect(after.filter((r) => r.method === 'POST' && r.path.endsWith('/people'))).toEqual([]);
    expect(after.some((r) => r.path.endsWith('/people/inactive'))).toBe(true);
    const all = [
      ...(await rest<Person[]>(`/rest/v1.0/companies/${ACME}/people?per_page=1000`)),
      ...(await rest<Person[]>(`/rest/v1.0/companies/${ACME}/people/inactive?per_page=1000`)),
    ];
    expect(all.filter((p) => p.origin_id === w.id).map((p) => p.id)).toEqual([made.id]);
    const entries = (await sb.control(`/_sandbox/companies/${ACME}/timecards`)).items as Array<{
      origin_id: number;
      party: { id: number } | null;
    }>;
    expect(entries.find((e) => e.origin_id === Number(t.id))?.party?.id).toBe(made.id);
  });

  it('does not read inactive people when every worker is found among the active ones', async () => {
    const w = await createLocalWorker(db().db, ACME, {
      firstName: 'Ola',
      lastName: 'Nordmann',
      phone: '+1 312 555 0483',
      email: null,
      payrollId: 'ACT-1',
      positionId: null,
    });
    await rest<Person>(`/rest/v1.0/companies/${ACME}/people`, {
      method: 'POST',
      body: { person: { first_name: 'Ola', last_name: 'Nordmann', origin_id: w.id } },
    });
    await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[1]),
      date: '2026-10-20',
      hours: 6,
    });
    const mark = await sb.lastRequestId();
    await send(projects[1]!, '2026-10-19', '2026-10-25');
    const after = await sb.requestsAfter(mark);
    expect(after.some((r) => r.path.endsWith('/people/inactive'))).toBe(false);
    expect(after.filter((r) => r.method === 'POST' && r.path.endsWith('/people'))).toEqual([]);
  });

  it("seeds the sandbox crew and this week once, on the Timesheets page's first project", async () => {
    const company = await newCompany(db().db, {});
    const deps = { ...services, log: pino({ level: 'silent' }) };
    const list = [
      { id: String(projects[0]), name: 'First' },
      { id: String(projects[1]), name: 'Second' },
    ];
    const now = new Date('2026-12-02T15:00:00Z'); // a Wednesday
    expect(await seedSandboxWeek(deps, company.id, list, now)).toBe(true);
    expect(await seedSandboxWeek(deps, company.id, list, now)).toBe(false);

    const week = { from: '2026-11-30', to: '2026-12-06' };
    const first = await listWeek(db().db, company.id, { projectId: list[0]!.id, ...week });
    const second = await listWeek(db().db, company.id, { projectId: list[1]!.id, ...week });
    expect(first.length + second.length).toBe(19);
    expect(new Set([...first, ...second].map((t) => t.date))).toEqual(
      new Set(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']),
    );
    expect(first.find((t) => t.timeIn === '07:00')).toMatchObject({ timeOut: '15:30', hours: '8.00' });
    expect(first.some((t) => t.approval === 'approved')).toBe(true);
    const workers = await db()
      .db.selectFrom('workers')
      .select(['first_name', 'source'])
      .where('company_id', '=', company.id)
      .execute();
    expect(workers).toHaveLength(4);
    expect(workers.every((w) => w.source === 'local')).toBe(true);

    // Not outside sandbox mode.
    const other = await newCompany(db().db, {});
    expect(await seedSandboxWeek({ ...deps, config: { sandbox: false } }, other.id, list, now)).toBe(false);
  });
});
