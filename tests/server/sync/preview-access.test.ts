import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import type { Services } from '../../../server/services';
import { onePreviewAtATime } from '../../../server/sync/preview';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser } from '../../helpers/sync-factories';

/**
 * Preview is a dry run: anyone signed in to the company may ask what a sync would change, since
 * it changes nothing. Sync, a review's decision and the settings stay with company admins.
 */
describeEachDatabase('who may preview a sync', ({ db }) => {
  let app: FastifyInstance & { services: Services };
  let a: { id: string; name: string };
  let b: { id: string; name: string };
  const tokens = new Map<string, string>();
  /** The companies whose Procore directory was opened, in order. */
  const opened: string[] = [];

  beforeAll(async () => {
    a = await newCompany(db().db, { name: 'Acme Builders' });
    b = await newCompany(db().db, { name: 'Other Co' });
    const people = [
      procoreUser({ first_name: 'Jane', last_name: 'Doe' }),
      procoreUser({ first_name: 'Omar', last_name: 'Reyes' }),
      procoreUser({ first_name: 'Mike', last_name: 'Brandt', email_address: 'mike@' }),
    ];
    app = await buildTestApp(db(), {
      directoryFor: (company) => {
        opened.push(company.id);
        return memoryDirectory({ active: [people] });
      },
    });
    const key = sessionKey(TEST_APP_SECRET);
    for (const c of [a, b]) {
      for (const isAdmin of [true, false]) {
        const session = { companyId: c.id, procoreUserId: '78', userName: 'Luis Ortega', isAdmin };
        tokens.set(`${c.id}:${isAdmin}`, (await issueSession(key, session)).token);
      }
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  const as = (company: { id: string }, admin: boolean) => ({
    authorization: `Bearer ${tokens.get(`${company.id}:${admin}`)}`,
  });
  const preview = (company: { id: string }, admin: boolean, path = company.id) =>
    app.inject({
      method: 'POST',
      url: `/api/companies/${path}/syncs/preview`,
      headers: as(company, admin),
      payload: {},
    });

  it('shows someone who is not a company admin what a sync would change, and changes nothing', async () => {
    const res = await preview(a, false);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(3);
    expect(body.counts).toMatchObject({ created: 2, skipped: 1, updated: 0 });
    expect(body.entries.map((e: { name: string }) => e.name).sort()).toEqual([
      'Jane Doe',
      'Mike Brandt',
      'Omar Reyes',
    ]);

    // Nothing was written: no worker, no run in the log.
    const workers = await app.inject({
      method: 'GET',
      url: `/api/companies/${a.id}/workers`,
      headers: as(a, false),
    });
    expect(workers.json().workers).toEqual([]);
    const runs = await app.inject({
      method: 'GET',
      url: `/api/companies/${a.id}/syncs`,
      headers: as(a, false),
    });
    expect(runs.json().runs).toEqual([]);
  });

  it('still leaves Sync, a review and the settings to company admins', async () => {
    for (const [method, url] of [
      ['POST', `/api/companies/${a.id}/syncs`],
      ['POST', `/api/companies/${a.id}/syncs/1/confirm`],
      ['POST', `/api/companies/${a.id}/syncs/1/cancel`],
      ['PATCH', `/api/companies/${a.id}/settings`],
    ] as const) {
      const res = await app.inject({ method, url, headers: as(a, false), payload: {} });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.message).toMatch(/Only a Procore company admin/);
    }
  });

  it("does not preview another company's sync through its path", async () => {
    const before = opened.length;
    const res = await preview(b, false, a.id);
    expect(res.statusCode).toBe(403);
    expect(opened.length).toBe(before);
  });
});

describe('previews asked at the same time', () => {
  it('are made once per company, and the next ask after the answer makes a new one', async () => {
    const made: string[] = [];
    const answers = new Map<string, () => void>();
    const preview = onePreviewAtATime(
      (companyId) =>
        new Promise<string>((resolve) => {
          const n = made.push(companyId);
          answers.set(companyId, () => resolve(`${companyId} #${n}`));
        }),
    );
    const asked = [preview('a'), preview('a'), preview('b'), preview('a')];
    expect(made).toEqual(['a', 'b']);
    answers.get('a')!();
    answers.get('b')!();
    expect(await Promise.all(asked)).toEqual(['a #1', 'a #1', 'b #2', 'a #1']);

    const next = preview('a');
    expect(made).toEqual(['a', 'b', 'a']);
    answers.get('a')!();
    expect(await next).toBe('a #3');
  });

  it('are asked again after a failure', async () => {
    let calls = 0;
    const preview = onePreviewAtATime(async () => {
      calls += 1;
      if (calls === 1) throw new Error('Procore could not be reached');
      return 'ok';
    });
    await expect(Promise.all([preview('a'), preview('a')])).rejects.toThrow('Procore could not be reached');
    expect(await preview('a')).toBe('ok');
    expect(calls).toBe(2);
  });
});
