import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import { EntryBatches, type EntryRow, listAllEntries, listEntries } from '../../../server/runs/runs.service';
import { workerHistory } from '../../../server/workers/worker-history';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser, queueManualRun } from '../../helpers/sync-factories';
import { runSync } from '../../helpers/sync-runner';

/**
 * A run in which nothing changed costs a few rows, not one per person, and rewrites no worker,
 * while its list, search and .txt still show every person it saw.
 */
describeEachDatabase('a run in which nothing changed', ({ db }) => {
  const run = async (companyId: string, directory: ReturnType<typeof memoryDirectory>) =>
    runSync(db().db, () => directory, companyId, await queueManualRun(db().db, companyId));
  /** Each worker row's version: PostgreSQL gives a rewritten row a new `xmin`. */
  const workerVersions = (companyId: string) =>
    db()
      .db.selectFrom('workers')
      .select(['id', sql<string>`xmin::text`.as('version')])
      .where('company_id', '=', companyId)
      .orderBy('id')
      .execute();
  const rowsOf = async (runId: string) => {
    const [entries, compact] = await Promise.all(
      (['sync_run_entries', 'sync_run_entry_batches'] as const).map((table) =>
        db()
          .db.selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('run_id', '=', runId)
          .executeTakeFirstOrThrow(),
      ),
    );
    return Number(entries!.n) + Number(compact!.n);
  };
  const everyPage = async (companyId: string, runId: string, filter: { q?: string } = {}) => {
    const all: EntryRow[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await listEntries(db().db, companyId, runId, { ...filter, afterId, limit: 101 });
      all.push(...page.slice(0, 100));
      if (page.length <= 100) return all;
      afterId = page[99]!.id;
    }
  };

  it('lists every person unchanged from one row, and rewrites no worker', async () => {
    const company = await newCompany(db().db);
    const users = Array.from({ length: 1200 }, () => procoreUser());
    const pages = [users.slice(0, 500), users.slice(500, 1000), users.slice(1000)];
    const first = await run(company.id, memoryDirectory({ active: pages }));
    expect(first).toMatchObject({ status: 'succeeded', created: 1200 });
    const before = await workerVersions(company.id);

    const again = await run(company.id, memoryDirectory({ active: pages }));
    expect(again).toMatchObject({
      status: 'succeeded',
      seen: 1200,
      total: 1200,
      unchanged: 1200,
      updated: 0,
    });
    expect(await workerVersions(company.id)).toEqual(before);
    expect(await rowsOf(again!.id)).toBe(1);

    // The run's list, paged as the logs page it: everyone once, unchanged, with their worker.
    const listed = await everyPage(company.id, again!.id);
    expect(listed.map((e) => e.procore_user_id).sort()).toEqual(users.map((u) => u.id).sort());
    expect(new Set(listed.map((e) => e.id)).size).toBe(1200);
    expect(listed.every((e) => e.action === 'unchanged' && e.worker_id !== null)).toBe(true);
    const someone = users[777]!;
    expect(listed.find((e) => e.procore_user_id === someone.id)).toMatchObject({
      name: `${someone.first_name} ${someone.last_name}`,
      email: someone.email_address,
      reason: null,
      changes: [],
      warnings: [],
    });
    // Found by search and by the "unchanged" filter; not under another result.
    expect(
      (await everyPage(company.id, again!.id, { q: someone.email_address! })).map((e) => e.name),
    ).toEqual([`${someone.first_name} ${someone.last_name}`]);
    const unchanged = await listEntries(db().db, company.id, again!.id, { action: 'unchanged', limit: 5000 });
    expect(unchanged).toHaveLength(1200);
    expect(await listEntries(db().db, company.id, again!.id, { action: 'created', limit: 10 })).toEqual([]);
    expect(await listAllEntries(db().db, company.id, again!.id)).toHaveLength(1200);
  });

  it('shows each worker from Procore as synced by the last run that checked it, written or not', async () => {
    const company = await newCompany(db().db);
    const users = Array.from({ length: 4 }, () => procoreUser());
    const first = await run(company.id, memoryDirectory({ active: [users] }));
    const renamed = { ...users[0]!, first_name: 'Renamed', updated_at: '2026-11-02T10:00:00Z' };
    const second = await run(company.id, memoryDirectory({ active: [[renamed, ...users.slice(1)]] }));
    const app = await buildTestApp(db());
    try {
      const { token } = await issueSession(sessionKey(TEST_APP_SECRET), {
        companyId: company.id,
        procoreUserId: '77',
        userName: 'Ada',
        isAdmin: false,
      });
      const res = await app.inject({
        method: 'GET',
        url: `/api/companies/${company.id}/workers`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      const workers: Array<{ procoreUserId: string; lastSyncedAt: string }> = res.json().workers;
      expect(workers).toHaveLength(4);
      // Only the renamed worker was written by the second run; all four were checked by it.
      expect(second!.finished_at!.getTime()).toBeGreaterThan(first!.finished_at!.getTime());
      for (const w of workers) expect(w.lastSyncedAt).toBe(second!.finished_at!.toISOString());
    } finally {
      await app.close();
    }
  });

  it('lists a change, a skip and a warning with the rest, in the order they were seen', async () => {
    const company = await newCompany(db().db);
    const users = Array.from({ length: 30 }, () => procoreUser());
    users[3] = { ...users[3]!, employee_id: null }; // a warning each run: no payroll ID
    await run(company.id, memoryDirectory({ active: [users] }));
    const renamed = { ...users[10]!, last_name: 'Renamed', updated_at: '2026-11-02T10:00:00Z' };
    const noPhone = { ...users[20]!, mobile_phone: null, updated_at: '2026-11-02T10:00:00Z' };
    const next = users.map((u) => (u.id === renamed.id ? renamed : u.id === noPhone.id ? noPhone : u));
    const again = await run(company.id, memoryDirectory({ active: [next] }));
    expect(again).toMatchObject({ updated: 1, skipped: 1, unchanged: 28, warnings: 1 });
    // The change is an entry of its own; the skip and the warning are batched with the unchanged.
    expect(await rowsOf(again!.id)).toBe(3);
    const listed = await everyPage(company.id, again!.id);
    expect(listed).toHaveLength(30);
    expect(listed.find((e) => e.procore_user_id === renamed.id)).toMatchObject({
      action: 'updated',
      changes: [{ field: 'last_name', from: users[10]!.last_name, to: 'Renamed' }],
    });
    const skip = listed.find((e) => e.procore_user_id === noPhone.id);
    expect(skip).toMatchObject({ action: 'skipped', reason_code: 'missing_cell_phone' });
    expect(skip?.reason).toBe('Missing cell phone');
    expect(listed.find((e) => e.procore_user_id === users[3]!.id)).toMatchObject({
      action: 'unchanged',
      warnings: [expect.stringContaining('Employee ID')],
    });
    expect((await listEntries(db().db, company.id, again!.id, { action: 'skipped', limit: 10 })).length).toBe(
      1,
    );
    // Ids grow in the order the run saw people, whichever table holds them.
    expect(listed.map((e) => e.procore_user_id)).toEqual(next.map((u) => u.id));

    // A worker's history lists the skip (newest first), not the runs that found them unchanged.
    const skipped = await workerHistory(db().db, company.id, skip!.worker_id!, { limit: 10 });
    expect(skipped.entries.map((e) => [e.runId, e.action])).toEqual([
      [again!.id, 'skipped'],
      [expect.any(String), 'created'],
    ]);
    const quiet = listed.find((e) => e.procore_user_id === users[0]!.id)!;
    expect((await workerHistory(db().db, company.id, quiet.worker_id!, { limit: 10 })).entries).toHaveLength(
      1,
    );
  });

  it('keeps each unchanged person once when a failed page is applied again person by person', async () => {
    const company = await newCompany(db().db);
    const users = Array.from({ length: 12 }, () => procoreUser());
    await run(company.id, memoryDirectory({ active: [users] }));
    // The database refuses one person's new email, which fails the page's transaction.
    const refused = {
      ...users[5]!,
      email_address: 'refused@example.com',
      updated_at: '2026-11-02T10:00:00Z',
    };
    await sql`create function refuse_email() returns trigger language plpgsql as $$
      begin
        if new.email = 'refused@example.com' then raise exception 'refused'; end if;
        return new;
      end $$`.execute(db().db);
    await sql`create trigger refuse_email before update on workers
      for each row execute function refuse_email()`.execute(db().db);
    try {
      const next = users.map((u) => (u.id === refused.id ? refused : u));
      const again = await run(company.id, memoryDirectory({ active: [next] }));
      expect(again).toMatchObject({ status: 'partial', seen: 12, unchanged: 11, failed: 1 });
      const listed = await everyPage(company.id, again!.id);
      expect(listed.map((e) => e.procore_user_id).sort()).toEqual(users.map((u) => u.id).sort());
      expect(listed.find((e) => e.procore_user_id === refused.id)?.action).toBe('failed');
    } finally {
      await sql`drop trigger refuse_email on workers`.execute(db().db);
      await sql`drop function refuse_email()`.execute(db().db);
    }
  });

  it('stores a row each time it has gathered enough people, and counts only what it stored', async () => {
    const company = await newCompany(db().db);
    const runId = await queueManualRun(db().db, company.id);
    const log = new EntryBatches(company.id, runId, 3);
    const person = (n: number) => ({
      procoreUserId: String(n),
      workerId: null,
      name: `Person ${n}`,
      email: null,
      action: 'unchanged' as const,
      reasonCode: null,
      reason: null,
      changes: [],
      warnings: [],
    });
    const page = async (ns: number[], fail = false) => {
      try {
        await db()
          .db.transaction()
          .execute(async (trx) => {
            const rest = await log.take(trx, ns.map(person), new Date());
            expect(rest).toEqual([]);
            if (fail) throw new Error('page failed');
          });
        log.committed();
      } catch {
        log.rolledBack();
      }
    };
    const counted = async () =>
      (
        await db()
          .db.selectFrom('sync_runs')
          .select('unchanged')
          .where('id', '=', runId)
          .executeTakeFirstOrThrow()
      ).unchanged;
    await page([1, 2]);
    expect(await counted()).toBe(0); // gathered, not yet stored
    await page([3, 4], true); // would have stored 1–4, but the page rolled back
    expect(await counted()).toBe(0);
    await page([3]);
    expect(await counted()).toBe(3);
    await page([4]);
    await log.storeRest(db().db, new Date());
    expect(await counted()).toBe(4);
    expect((await listAllEntries(db().db, company.id, runId)).map((e) => e.name)).toEqual(
      [1, 2, 3, 4].map((n) => `Person ${n}`),
    );
    expect(await rowsOf(runId)).toBe(2);
  });
});
