import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import { ConfigError } from '../../../server/config';
import type { Services } from '../../../server/services';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET, testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';

/** The Workers page's search, totals, "workers of this run" filter and Directory link. */
describeEachDatabase('the Workers page API', ({ db }) => {
  let app: FastifyInstance & { services: Services };
  let company: { id: string };
  let auth: string;
  const ids: Record<string, string> = {};

  const addWorker = async (
    key: string,
    values: { first: string; phone: string; active?: boolean; payrollId?: string | null; local?: boolean },
  ) => {
    const row = await db()
      .db.insertInto('workers')
      .values({
        company_id: company.id,
        first_name: values.first,
        last_name: 'Tally',
        phone: values.phone,
        payroll_id: values.payrollId === undefined ? `P-${key}` : values.payrollId,
        active: values.active ?? true,
        source: values.local ? 'local' : 'procore_user',
        procore_user_id: values.local ? null : String(8_700_000 + Object.keys(ids).length),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[key] = row.id;
  };

  beforeAll(async () => {
    company = await newCompany(db().db);
    app = await buildTestApp(db());
    const { token } = await issueSession(sessionKey(TEST_APP_SECRET), {
      companyId: company.id,
      procoreUserId: '77',
      userName: 'Ada',
      isAdmin: false,
    });
    auth = `Bearer ${token}`;
    await addWorker('rosa', { first: 'Rosa', phone: '+17795550177' });
    await addWorker('sam', { first: 'Sam', phone: '+17795550188', payrollId: null });
    await addWorker('tess', { first: 'Tess', phone: '+13125550100', active: false });
    await addWorker('uma', { first: 'Uma', phone: '+13125550101', active: false });
    await addWorker('val', { first: 'Val', phone: '+13125550102', local: true, payrollId: null });
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (url: string) =>
    app.inject({
      method: 'GET',
      url: `/api/companies/${company.id}${url}`,
      headers: { authorization: auth },
    });
  const names = async (url: string) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    return res.json().workers.map((w: { firstName: string }) => w.firstName);
  };

  it('finds a worker by the phone as it is displayed, with or without the country code', async () => {
    for (const q of ['(779) 555-0177', '+1 779 555 0177', '7795550177', '779.555.0177', '555-0177']) {
      expect(await names(`/workers?q=${encodeURIComponent(q)}`), q).toEqual(['Rosa']);
    }
    // A number shared by nobody finds nobody; a shorter part finds every number holding it.
    expect(await names(`/workers?q=${encodeURIComponent('(779) 555-0199')}`)).toEqual([]);
    expect(await names(`/workers?q=${encodeURIComponent('(779) 555')}`)).toEqual(['Rosa', 'Sam']);
    // Names still match as before.
    expect(await names('/workers?q=tess')).toEqual(['Tess']);
  });

  it('counts the whole company, not the page shown', async () => {
    const res = await get('/workers/totals');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      total: 5,
      active: 3,
      inactive: 2,
      activeFromProcore: 2,
      activeLocal: 1,
      activeMissingPayrollId: 2,
      activeMissingPosition: 3,
    });
    // A page of one does not change the totals.
    expect(await names('/workers?limit=1')).toHaveLength(1);
    expect((await get('/workers/totals')).json().total).toBe(5);
  });

  it('lists exactly the workers a run recorded with one result', async () => {
    const run = await db()
      .db.insertInto('sync_runs')
      .values({ company_id: company.id, trigger: 'manual', status: 'succeeded' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const entry = (key: string, action: 'deactivated' | 'updated') => ({
      run_id: run.id,
      company_id: company.id,
      procore_user_id: '1',
      worker_id: ids[key],
      name: key,
      action,
    });
    await db()
      .db.insertInto('sync_run_entries')
      .values([entry('tess', 'deactivated'), entry('uma', 'deactivated'), entry('rosa', 'updated')])
      .execute();
    expect(await names(`/workers?runId=${run.id}&result=deactivated`)).toEqual(['Tess', 'Uma']);
    expect(await names(`/workers?runId=${run.id}&result=updated`)).toEqual(['Rosa']);
    expect(await names(`/workers?runId=${run.id}&result=skipped`)).toEqual([]);
    // The filter combines with the others.
    expect(await names(`/workers?runId=${run.id}&result=deactivated&q=uma`)).toEqual(['Uma']);
    // A run of another company lists nobody of this one.
    const other = await newCompany(db().db);
    const foreign = await db()
      .db.insertInto('sync_runs')
      .values({ company_id: other.id, trigger: 'manual', status: 'succeeded' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await names(`/workers?runId=${foreign.id}&result=deactivated`)).toEqual([]);
    expect((await get(`/workers?runId=${run.id}`)).statusCode).toBe(400);
  });

  it("gives the sandbox's Directory page for a user in sandbox mode", async () => {
    const res = await get('/directory-link');
    expect(res.statusCode).toBe(200);
    expect(res.json().userUrl).toBe(
      `http://127.0.0.1:4000/directory?company_id=${company.id}&user_id={userId}`,
    );
  });
});

describe('PROCORE_DIRECTORY_USER_URL', () => {
  const withProcore = {
    PROCORE_CLIENT_ID: 'id',
    PROCORE_CLIENT_SECRET: 'secret',
    APP_SECRET: 'x'.repeat(40),
  };

  it("defaults to Procore's company Directory with Procore credentials", () => {
    expect(testConfig(withProcore).directoryUserUrl).toBe(
      'https://app.procore.com/{companyId}/company/directory/users/{userId}',
    );
  });

  it('takes a pattern of its own, and refuses one without {userId}', () => {
    const pattern = 'https://us02.procore.com/{companyId}/company/directory/users/{userId}';
    expect(testConfig({ ...withProcore, PROCORE_DIRECTORY_USER_URL: pattern }).directoryUserUrl).toBe(
      pattern,
    );
    expect(() =>
      testConfig({ ...withProcore, PROCORE_DIRECTORY_USER_URL: 'https://app.procore.com/directory' }),
    ).toThrow(ConfigError);
  });
});
