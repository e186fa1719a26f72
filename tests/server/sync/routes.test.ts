import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import { insertQueuedRun } from '../../../server/runs/runs.repository';
import type { Services } from '../../../server/services';
import { applyPage } from '../../../server/sync/apply-users';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser } from '../../helpers/sync-factories';

/**
 * The sync, logs, settings and workers API through the real app and its `/api` scope, with real
 * sessions. Every route gets a cross-tenant check.
 */
describeEachDatabase('sync, logs, settings and workers API', ({ db }) => {
  let app: FastifyInstance & { services: Services };
  const tokens = new Map<string, string>();
  let a: { id: string; name: string };
  let b: { id: string; name: string };
  let runA: string;
  let runB: string;
  const sent: unknown[] = [];

  beforeAll(async () => {
    a = await newCompany(db().db, { name: 'Acme Builders' });
    b = await newCompany(db().db, { name: 'Other Co' });
    app = await buildTestApp(db(), { directoryFor: () => memoryDirectory({ active: [[procoreUser()]] }) });
    const send = app.services.jobs.send.bind(app.services.jobs);
    vi.spyOn(app.services.jobs, 'send').mockImplementation(async (def, payload, options) => {
      sent.push(payload);
      return send(def, payload, options);
    });
    const key = sessionKey(TEST_APP_SECRET);
    for (const c of [a, b]) {
      for (const isAdmin of [true, false]) {
        const session = { companyId: c.id, procoreUserId: '77', userName: 'Ada Admin', isAdmin };
        tokens.set(`${c.id}:${isAdmin}`, (await issueSession(key, session)).token);
      }
    }

    for (const c of [a, b]) {
      const run = await insertQueuedRun(db().db, {
        kind: 'users',
        companyId: c.id,
        trigger: 'manual',
        mode: 'full',
        startedByUserId: '77',
        startedByName: 'Ada Admin',
        now: new Date('2026-11-25T10:00:00Z'),
      });
      await db()
        .db.updateTable('sync_runs')
        .set({ status: 'running', started_at: new Date('2026-11-25T10:00:01Z') })
        .where('id', '=', run!.id)
        .execute();
      await applyPage(
        db().db,
        {
          companyId: c.id,
          companyName: c.name,
          serviceAccountUserId: null,
          syncClassifications: false,
          classificationNames: null,
        },
        [
          procoreUser({ first_name: 'Jane', last_name: 'Doe' }),
          procoreUser({ first_name: 'Mike', email_address: 'mike@' }),
        ],
        { runId: run!.id, deferDeactivations: false, now: new Date() },
      );
      await db()
        .db.updateTable('sync_runs')
        .set({ status: 'succeeded', finished_at: new Date('2026-11-25T10:00:09Z') })
        .where('id', '=', run!.id)
        .execute();
      if (c === a) runA = run!.id;
      else runB = run!.id;
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  const as = (company: { id: string }, admin = true) => ({
    authorization: `Bearer ${tokens.get(`${company.id}:${admin}`)}`,
  });
  const get = (url: string, company = a) => app.inject({ method: 'GET', url, headers: as(company) });

  it('queues a manual full sync, and asking again returns the same run', async () => {
    const first = await app.inject({
      method: 'POST',
      url: `/api/companies/${a.id}/syncs`,
      headers: as(a),
      payload: {},
    });
    expect(first.statusCode).toBe(202);
    const run = first.json().run;
    expect(run).toMatchObject({ trigger: 'manual', mode: 'full', status: 'queued', startedBy: 'Ada Admin' });
    const again = await app.inject({
      method: 'POST',
      url: `/api/companies/${a.id}/syncs`,
      headers: as(a),
      payload: {},
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().run.id).toBe(run.id);
    expect(sent).toEqual([{ companyId: a.id, runId: run.id }]);
  });

  it('only admins start syncs and change settings', async () => {
    for (const [method, url] of [
      ['POST', `/api/companies/${b.id}/syncs`],
      ['PATCH', `/api/companies/${b.id}/settings`],
    ] as const) {
      const res = await app.inject({ method, url, headers: as(b, false), payload: {} });
      expect(res.statusCode, url).toBe(403);
    }
  });

  it('lists runs newest first, paged', async () => {
    const page1 = (await get(`/api/companies/${a.id}/syncs?limit=1`)).json();
    expect(page1.runs).toHaveLength(1);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = (await get(`/api/companies/${a.id}/syncs?limit=1&cursor=${page1.nextCursor}`)).json();
    expect(page2.runs[0]).toMatchObject({
      id: runA,
      status: 'succeeded',
      durationMs: 8000,
      counts: { created: 1, skipped: 1 },
    });
    expect(Number(page2.runs[0].id)).toBeLessThan(Number(page1.runs[0].id));
  });

  it('numbers each company’s runs 1, 2, 3… in the order the logs list them', async () => {
    const c = await newCompany(db().db);
    const numbers: number[] = [];
    for (const trigger of ['manual', 'auto', 'manual'] as const) {
      const run = await insertQueuedRun(db().db, {
        kind: 'users',
        companyId: c.id,
        trigger,
        mode: 'full',
        startedByUserId: null,
        startedByName: null,
        now: new Date(),
      });
      numbers.push(run!.number);
      // A second press while it is queued returns nothing new and takes no number.
      expect(
        await insertQueuedRun(db().db, {
          kind: 'users',
          companyId: c.id,
          trigger: 'manual',
          mode: 'full',
          startedByUserId: null,
          startedByName: null,
          now: new Date(),
        }),
      ).toBeUndefined();
      await db().db.updateTable('sync_runs').set({ status: 'succeeded' }).where('id', '=', run!.id).execute();
    }
    expect(numbers).toEqual([1, 2, 3]);
    // Company a's runs were made in between, and are numbered on their own.
    const listed = (await get(`/api/companies/${a.id}/syncs?limit=100`)).json().runs as Array<{
      number: number;
    }>;
    const own = listed.map((r) => r.number);
    expect(own).toEqual([...own].sort((x, y) => y - x));
    expect(Math.min(...own)).toBe(1);
  });

  it('searches a person across runs and filters runs by trigger and status', async () => {
    const c = await newCompany(db().db, { name: 'Search Co' });
    const token = (
      await issueSession(sessionKey(TEST_APP_SECRET), {
        companyId: c.id,
        procoreUserId: '78',
        userName: 'Ada Admin',
        isAdmin: true,
      })
    ).token;
    const list = async (query: string) =>
      (
        await app.inject({
          method: 'GET',
          url: `/api/companies/${c.id}/syncs?${query}`,
          headers: { authorization: `Bearer ${token}` },
        })
      ).json();
    const jane = procoreUser({
      first_name: 'Janet',
      last_name: 'Quill',
      email_address: 'janet.q@example.com',
    });
    const runWith = async (
      trigger: 'manual' | 'auto',
      users: ReturnType<typeof procoreUser>[],
      status: 'succeeded' | 'failed',
    ) => {
      const run = await insertQueuedRun(db().db, {
        kind: 'users',
        companyId: c.id,
        trigger,
        mode: 'full',
        startedByUserId: null,
        startedByName: null,
        now: new Date(),
      });
      const settings = {
        companyId: c.id,
        companyName: c.name,
        serviceAccountUserId: null,
        syncClassifications: false,
        classificationNames: null,
      };
      await applyPage(db().db, settings, users, {
        runId: run!.id,
        deferDeactivations: false,
        now: new Date(),
      });
      await db().db.updateTable('sync_runs').set({ status }).where('id', '=', run!.id).execute();
      return run!;
    };
    const first = await runWith('manual', [jane, procoreUser({ first_name: 'Other' })], 'succeeded');
    const second = await runWith(
      'auto',
      [{ ...jane, last_name: 'Quillon', updated_at: '2026-11-05T00:00:00Z' }],
      'succeeded',
    );
    const third = await runWith('auto', [procoreUser({ first_name: 'Nobody' })], 'failed');

    // By e-mail, any case: the two runs that touched her, newest first, each with her result.
    const found = await list('q=JANET.Q@');
    expect(found.runs.map((r: { id: string }) => r.id)).toEqual([second.id, first.id]);
    expect(found.runs[0].matches).toEqual([
      expect.objectContaining({ procoreUserId: jane.id, name: 'Janet Quillon', action: 'updated' }),
    ]);
    expect(found.runs[1].matches).toEqual([
      expect.objectContaining({ procoreUserId: jane.id, name: 'Janet Quill', action: 'created' }),
    ]);
    // By name, paged.
    const page1 = await list('q=quill&limit=1');
    expect(page1.runs.map((r: { id: string }) => r.id)).toEqual([second.id]);
    const page2 = await list(`q=quill&limit=1&cursor=${page1.nextCursor}`);
    expect(page2.runs.map((r: { id: string }) => r.id)).toEqual([first.id]);
    expect(page2.nextCursor).toBeNull();
    // Filters, alone and together.
    expect((await list('trigger=auto')).runs.map((r: { id: string }) => r.id)).toEqual([third.id, second.id]);
    expect((await list('status=failed')).runs.map((r: { id: string }) => r.id)).toEqual([third.id]);
    expect((await list('trigger=manual&status=failed')).runs).toEqual([]);
    expect((await list('q=quill&trigger=auto')).runs.map((r: { id: string }) => r.id)).toEqual([second.id]);
    // A pattern character is taken literally; another company's people are never found.
    expect((await list('q=%25')).runs).toEqual([]);
    expect((await list('q=Jane%20Doe')).runs).toEqual([]);
    expect((await list('status=bogus')).runs).toBeUndefined();
  });

  it('filters and searches entries', async () => {
    const skipped = (await get(`/api/companies/${a.id}/syncs/${runA}/entries?action=skipped`)).json();
    expect(skipped.entries).toMatchObject([
      { action: 'skipped', reasonCode: 'invalid_email', reason: 'Email address "mike@" is not valid' },
    ]);
    const found = (await get(`/api/companies/${a.id}/syncs/${runA}/entries?q=jane`)).json();
    expect(found.entries.map((e: { name: string }) => e.name)).toEqual(['Jane Doe']);
  });

  it('downloads the log as an attachment named for the company, date and run number', async () => {
    const res = await get(`/api/companies/${a.id}/syncs/${runA}/log.txt`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    // Company a's first run: number 1, whatever id the run table gave it.
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="worker-sync-acme-builders-2026-11-25-run-1.txt"',
    );
    expect(res.body).toContain('Run:         #1\r\n');
    expect(res.body).toContain('Worker sync log - Acme Builders');
    expect(res.body).toMatch(/Mike .*Email address "mike@" is not valid/);
  });

  it('does not show a run of another company through this company’s paths', async () => {
    for (const path of ['', '/entries', '/log.txt']) {
      expect((await get(`/api/companies/${a.id}/syncs/${runB}${path}`)).statusCode, path).toBe(404);
    }
    for (const action of ['confirm', 'cancel']) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/companies/${a.id}/syncs/${runB}/${action}`,
        headers: as(a),
        payload: {},
      });
      expect(res.statusCode).toBe(404);
    }
    const list = (await get(`/api/companies/${a.id}/syncs`)).json();
    expect(list.runs.map((r: { id: string }) => r.id)).not.toContain(runB);
  });

  it('reads and changes settings, spreading the autosync minute', async () => {
    expect((await get(`/api/companies/${a.id}/settings`)).json()).toEqual({
      syncClassifications: false,
      autosync: false,
      userSyncEnabled: true,
      autosyncMinute: 0,
      lastAutoSyncAt: null,
      nextAutoSyncAt: null,
      autoSyncTimeCards: false,
      onlyApproved: false,
      includeSubWorkers: false,
    });
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/companies/${a.id}/settings`,
      headers: as(a),
      payload: { autosync: true, syncClassifications: true },
    });
    expect(res.json()).toMatchObject({ autosync: true, syncClassifications: true });
    // The page can say when the next automatic sync runs: at the company's minute, within the hour.
    const next = new Date(res.json().nextAutoSyncAt);
    expect(next.getUTCMinutes()).toBe(res.json().autosyncMinute);
    expect(next.getTime() - Date.now()).toBeGreaterThan(-60_000);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect((await get(`/api/companies/${b.id}/settings`, b)).json()).toMatchObject({ autosync: false });
  });

  it('lists the company’s workers only, with search', async () => {
    const res = await get(`/api/companies/${a.id}/workers?q=jane`);
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json();
    expect(list.workers).toMatchObject([
      { firstName: 'Jane', lastName: 'Doe', source: 'procore_user', active: true },
    ]);
    const all = (await get(`/api/companies/${a.id}/workers?limit=500`)).json();
    expect(all.workers).toHaveLength(1);
  });

  it('previews without recording a run', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/companies/${b.id}/syncs/preview`,
      headers: as(b),
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 1, counts: { created: 1 }, safeguard: { wouldStop: false } });
  });
});
