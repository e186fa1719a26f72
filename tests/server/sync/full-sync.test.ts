import { expect, it } from 'vitest';
import { INTERRUPTED_REASON } from '../../../server/procore/failure-policy';
import { insertQueuedRun } from '../../../server/runs/runs.repository';
import { recoverInterruptedRuns } from '../../../server/runs/runs.service';
import { previewSync } from '../../../server/sync/preview';
import type { SyncUser } from '../../../server/sync/procore-user';
import { cancelReview, confirmReview } from '../../../server/sync/review';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser } from '../../helpers/sync-factories';
import { runSync } from '../../helpers/sync-runner';

describeEachDatabase('full sync runs', ({ db }) => {
  const run = async (
    companyId: string,
    directory: ReturnType<typeof memoryDirectory>,
    mode: 'full' | 'incremental' = 'full',
  ) => {
    const queued = await insertQueuedRun(db().db, {
      kind: 'users',
      companyId,
      trigger: 'manual',
      mode,
      startedByUserId: '1',
      startedByName: 'Ada Admin',
      now: new Date(),
    });
    return runSync(db().db, () => directory, companyId, queued!.id);
  };
  const workerState = (companyId: string) =>
    db()
      .db.selectFrom('workers')
      .select(['procore_user_id', 'first_name', 'last_name', 'email', 'phone', 'payroll_id', 'active'])
      .where('company_id', '=', companyId)
      .orderBy('procore_user_id')
      .execute();
  const roster = (n: number) => Array.from({ length: n }, () => procoreUser());

  it('pages through active and inactive users, with progress and counts', async () => {
    const company = await newCompany(db().db);
    const users = roster(5);
    const done = await run(
      company.id,
      memoryDirectory({
        active: [users.slice(0, 3), users.slice(3)],
        inactive: [[procoreUser({ is_active: false })]],
      }),
    );
    expect(done).toMatchObject({ status: 'succeeded', seen: 6, total: 6, created: 5, skipped: 1 });
    const again = await run(company.id, memoryDirectory({ active: [users] }));
    expect(again).toMatchObject({ status: 'succeeded', unchanged: 5, created: 0, updated: 0 });
  });

  it('shows a total that never drops while the run works and equals the people seen at the end', async () => {
    const company = await newCompany(db().db, { serviceAccountUserId: '777' });
    const people = roster(6);
    const serviceAccount = procoreUser({ id: '777', first_name: 'Worker Sync', last_name: 'Service' });
    const inactive = [procoreUser({ is_active: false }), procoreUser({ is_active: false })];
    const totals: Array<number | null> = [];
    const watch = async () => {
      const row = await db()
        .db.selectFrom('sync_runs')
        .select('total')
        .where('company_id', '=', company.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      totals.push(row.total);
    };
    // Procore says 7 active (the service account among them) and 2 inactive; a person is added
    // while the run pages, so the last active page holds one more user than Procore counted.
    const added = procoreUser();
    const pages = [
      [serviceAccount, ...people.slice(0, 3)],
      [...people.slice(3), added],
    ];
    const directory = {
      ...memoryDirectory({ active: [] }),
      async *activeUsers() {
        for (const users of pages) {
          yield { users, total: 7 };
          await watch();
        }
      },
      async *inactiveUsers() {
        yield { users: inactive, total: 2 };
        await watch();
      },
    };
    const done = await run(company.id, directory);
    expect(done).toMatchObject({ status: 'succeeded', seen: 9, total: 9, created: 7, skipped: 2 });
    // From the first page on: 7 + 2 less the service account; once the run has seen more people
    // than that (the added one), the total follows.
    expect(totals).toEqual([8, 8, 9]);
    for (let i = 1; i < totals.length; i++) expect(totals[i]!).toBeGreaterThanOrEqual(totals[i - 1]!);
  });

  it('a finished run whose Procore count was too high ends with the total it saw', async () => {
    const company = await newCompany(db().db);
    const users = roster(3);
    const directory = {
      ...memoryDirectory({ active: [] }),
      async *activeUsers() {
        yield { users, total: 5 }; // two left Procore while the run read
      },
      async *inactiveUsers() {
        yield { users: [], total: 0 };
      },
    };
    expect(await run(company.id, directory)).toMatchObject({ status: 'succeeded', seen: 3, total: 3 });
  });

  it('stops as needs_review when 30% would be deactivated, changing nothing until confirmed', async () => {
    const company = await newCompany(db().db);
    const users = roster(40);
    await run(company.id, memoryDirectory({ active: [users] }));
    const before = await workerState(company.id);
    const gone = users
      .slice(0, 12)
      .map((u) => ({ ...u, is_active: false, updated_at: '2026-11-03T00:00:00Z' }));
    const review = await run(company.id, memoryDirectory({ active: [users.slice(12)], inactive: [gone] }));
    expect(review).toMatchObject({ status: 'needs_review', would_deactivate: 12, deactivated: 0 });
    expect(review?.status_reason).toMatch(/^Would deactivate 12 of 40 synced workers \(30%\)/);
    expect(await workerState(company.id)).toEqual(before);

    const confirmed = await confirmReview(db().db, company.id, review!.id, {
      byName: 'Ada Admin',
      now: new Date(),
    });
    expect(confirmed).toMatchObject({
      status: 'succeeded',
      deactivated: 12,
      would_deactivate: 0,
      reviewed_by_name: 'Ada Admin',
    });
    expect((await workerState(company.id)).filter((w) => !w.active)).toHaveLength(12);
  });

  it('a cancelled review deactivates nobody', async () => {
    const company = await newCompany(db().db);
    const users = roster(10);
    await run(company.id, memoryDirectory({ active: [users] }));
    const review = await run(
      company.id,
      memoryDirectory({ active: [[]], inactive: [users.map((u) => ({ ...u, is_active: false }))] }),
    );
    expect(review?.status).toBe('needs_review');
    const cancelled = await cancelReview(db().db, company.id, review!.id, {
      byName: 'Ada Admin',
      now: new Date(),
    });
    expect(cancelled.status).toBe('canceled');
    expect((await workerState(company.id)).every((w) => w.active)).toBe(true);
    await expect(
      confirmReview(db().db, company.id, review!.id, { byName: 'x', now: new Date() }),
    ).rejects.toThrow(/not waiting/);
  });

  it('a run killed between two pages, then a new run, ends like an uninterrupted run', async () => {
    const pages: SyncUser[][] = [roster(4), roster(4), roster(4)];
    const inactive = [[{ ...pages[0]![0]!, is_active: false }]];
    const whole = await newCompany(db().db);
    await run(whole.id, memoryDirectory({ active: pages, inactive }));

    const crashed = await newCompany(db().db);
    const failed = await run(crashed.id, memoryDirectory({ active: pages, inactive, failOnActivePage: 2 }));
    expect(failed).toMatchObject({ status: 'failed', seen: 4 });
    const next = await run(crashed.id, memoryDirectory({ active: pages, inactive }));
    expect(next?.status).toBe('succeeded');
    expect(await workerState(crashed.id)).toEqual(await workerState(whole.id));
  });

  it('marks a run left running by a dead process as failed, so the next can start', async () => {
    const company = await newCompany(db().db);
    const queued = await insertQueuedRun(db().db, {
      kind: 'users',
      companyId: company.id,
      trigger: 'manual',
      mode: 'full',
      startedByUserId: null,
      startedByName: null,
      now: new Date(),
    });
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await db()
      .db.updateTable('sync_runs')
      .set({ status: 'running', started_at: longAgo, heartbeat_at: longAgo })
      .where('id', '=', queued!.id)
      .execute();
    const recovered = await recoverInterruptedRuns(db().db, async () => false, INTERRUPTED_REASON);
    expect(recovered).toContain(queued!.id);
    const row = await db()
      .db.selectFrom('sync_runs')
      .selectAll()
      .where('id', '=', queued!.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', status_reason: INTERRUPTED_REASON });
  });

  it('an incremental run reads only users changed since the watermark', async () => {
    const company = await newCompany(db().db);
    const old = roster(3).map((u, i) => ({
      ...u,
      updated_at: i === 0 ? '2026-11-01T00:00:00Z' : '2026-10-01T00:00:00Z',
    }));
    await run(company.id, memoryDirectory({ active: [old] }));
    const changed = { ...old[0]!, last_name: 'Changed', updated_at: '2026-11-05T00:00:00Z' };
    const dir = memoryDirectory({ active: [[changed, old[1]!, old[2]!]] });
    const inc = await run(company.id, dir, 'incremental');
    expect(dir.calls).toEqual(['active:since', 'inactive']);
    expect(inc).toMatchObject({ status: 'succeeded', seen: 1, updated: 1, mode: 'incremental' });
  });

  it('preview shows what a sync would do without changing a worker', async () => {
    const company = await newCompany(db().db);
    const users = roster(3);
    const p = await previewSync(
      { db: db().db, directoryFor: () => memoryDirectory({ active: [users] }) },
      company.id,
    );
    expect(p.counts.created).toBe(3);
    expect(p.entries.map((e) => e.action)).toEqual(['created', 'created', 'created']);
    expect(await workerState(company.id)).toEqual([]);
  });
});
