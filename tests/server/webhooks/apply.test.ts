import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createCompaniesService } from '../../../server/companies/companies.service';
import { createProcoreClient } from '../../../server/procore/client';
import { ProcoreNotConnectedError, ProcoreUnavailableError } from '../../../server/procore/errors';
import type { UserDirectory } from '../../../server/sync/directory';
import { displayName, type SyncUser } from '../../../server/sync/procore-user';
import { applyUserChange, applyUserChanges } from '../../../server/webhooks/apply-user-change';
import { testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany, procoreUser } from '../../helpers/sync-factories';

/** The job's rules without the queue: ordering of overlapping reads, Procore failures, settings. */
describeEachDatabase('applying one webhook change', ({ db }) => {
  /**
   * A directory whose answers are scripted per call (each: a user, null or an error). An answer
   * with `held` waits until `release()`; `started` resolves when that held read has begun.
   */
  const scripted = (answers: Array<{ held?: boolean; user?: SyncUser | null; error?: Error }>) => {
    let call = 0;
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let started = () => {};
    const heldStarted = new Promise<void>((r) => {
      started = r;
    });
    const directory = {
      async user() {
        const a = answers[call++] ?? answers.at(-1)!;
        if (a.held) {
          started();
          await released;
        }
        if (a.error) throw a.error;
        return a.user ?? null;
      },
    } as unknown as UserDirectory;
    return Object.assign(() => directory, { release, heldStarted });
  };
  const procore = () => createProcoreClient({ config: testConfig(), db: db().db });
  const depsWith = (directoryFor: () => UserDirectory) => ({
    db: db().db,
    database: db(),
    companies: createCompaniesService({ db: db().db, procore: procore() }),
    directoryFor,
    now: () => new Date(),
    log: pino({ level: 'silent' }),
  });
  /** Reads are ordered by their start time: the next read must start in a later millisecond. */
  const afterThisMillisecond = async () => {
    const now = Date.now();
    while (Date.now() === now) await new Promise((r) => setImmediate(r));
  };
  const deliver = (companyId: string, userId: string) =>
    db()
      .db.insertInto('webhook_deliveries')
      .values({
        company_id: companyId,
        delivery_key: `k-${Math.random()}`,
        payload_version: 'v4.0',
        resource_name: 'Company Users',
        event_type: 'update',
        resource_id: userId,
        payload: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  const delivery = (id: string) =>
    db()
      .db.selectFrom('webhook_deliveries')
      .select(['outcome', 'outcome_reason', 'processed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const worker = (companyId: string, userId: string) =>
    db()
      .db.selectFrom('workers')
      .select(['first_name', 'active'])
      .where('company_id', '=', companyId)
      .where('procore_user_id', '=', userId)
      .executeTakeFirst();

  it('keeps the later read when an earlier, slower read finishes last', async () => {
    const { id: companyId } = await newCompany(db().db);
    const old = procoreUser({ first_name: 'Old', updated_at: '2026-11-01T10:00:00Z' });
    const fresh = { ...old, first_name: 'Fresh', updated_at: '2026-11-01T10:05:00Z' };
    const directoryFor = scripted([{ held: true, user: old }, { user: fresh }]);
    const deps = depsWith(directoryFor);
    const slow = applyUserChange(deps, companyId, old.id);
    await directoryFor.heldStarted;
    await afterThisMillisecond();
    expect(await applyUserChange(deps, companyId, old.id)).toBe('applied');
    directoryFor.release();
    expect(await slow).toBe('superseded');
    expect(await worker(companyId, old.id)).toEqual({ first_name: 'Fresh', active: true });
  });

  it('keeps a removal read later than a slower read of the user', async () => {
    const { id: companyId } = await newCompany(db().db);
    const user = procoreUser({ first_name: 'Leaving' });
    await applyUserChange(depsWith(scripted([{ user }])), companyId, user.id);
    const directoryFor = scripted([{ held: true, user }, { user: null }]);
    const deps = depsWith(directoryFor);
    const slow = applyUserChange(deps, companyId, user.id);
    await directoryFor.heldStarted;
    await afterThisMillisecond();
    expect(await applyUserChange(deps, companyId, user.id)).toBe('applied');
    directoryFor.release();
    expect(await slow).toBe('superseded');
    expect(await worker(companyId, user.id)).toEqual({ first_name: 'Leaving', active: false });
  });

  it('marks the company uninstalled on Procore 403 "not connected" and drops the delivery', async () => {
    const { id: companyId } = await newCompany(db().db);
    const d = await deliver(companyId, '8100001');
    const directoryFor = scripted([{ error: new ProcoreNotConnectedError('App is not connected') }]);
    expect(await applyUserChange(depsWith(directoryFor), companyId, '8100001')).toBe('dropped');
    expect((await delivery(d.id)).outcome).toBe('dropped');
    const company = await db()
      .db.selectFrom('companies')
      .select('connection_state')
      .where('id', '=', companyId)
      .executeTakeFirstOrThrow();
    expect(company.connection_state).toBe('disconnected');
  });

  it('throws a transient Procore error for a retry, and records it on the last attempt', async () => {
    const { id: companyId } = await newCompany(db().db);
    const d = await deliver(companyId, '8100002');
    const down = new ProcoreUnavailableError('Procore did not answer.', 3, false);
    const deps = depsWith(scripted([{ error: down }]));
    await expect(applyUserChange(deps, companyId, '8100002', { finalAttempt: false })).rejects.toBe(down);
    expect((await delivery(d.id)).outcome).toBe('queued');
    expect(await applyUserChange(deps, companyId, '8100002', { finalAttempt: true })).toBe('failed');
    expect(await delivery(d.id)).toMatchObject({
      outcome: 'failed',
      outcome_reason: /Procore did not answer/,
    });
  });

  it('ignores changes while user sync is off', async () => {
    const { id: companyId } = await newCompany(db().db, { userSyncEnabled: false });
    const user = procoreUser();
    const d = await deliver(companyId, user.id);
    const deps = depsWith(scripted([{ user }]));
    expect(await applyUserChange(deps, companyId, user.id)).toBe('ignored');
    expect(await worker(companyId, user.id)).toBeUndefined();
    expect((await delivery(d.id)).processed_at).toBeInstanceOf(Date);
  });

  it('counts a person edited six times in the hour once, with their latest result', async () => {
    const { id: companyId } = await newCompany(db().db);
    const other = procoreUser({ first_name: 'Other' });
    const base = procoreUser({ first_name: 'Pat', last_name: 'Doe', updated_at: '2026-11-01T10:00:00Z' });
    const names = ['Pat', 'Patricia', 'Trish', 'Patty', 'Patsy', 'Patrice'];
    const versions = names.map((first_name, i) => ({
      ...base,
      first_name,
      updated_at: `2026-11-01T10:0${i}:00Z`,
    }));
    const at = new Date('2026-11-01T10:30:00Z');
    const deps = { ...depsWith(scripted(versions.map((user) => ({ user })))), now: () => at };
    for (const _ of versions) {
      await afterThisMillisecond();
      expect(await applyUserChange(deps, companyId, base.id)).toBe('applied');
    }
    await applyUserChange({ ...depsWith(scripted([{ user: other }])), now: () => at }, companyId, other.id);

    const run = await db()
      .db.selectFrom('sync_runs')
      .selectAll()
      .where('company_id', '=', companyId)
      .executeTakeFirstOrThrow();
    // Two people: Pat (created, then renamed five times) and Other.
    expect(run).toMatchObject({ trigger: 'webhook', seen: 2, created: 2, updated: 0, skipped: 0 });
    const entries = await db()
      .db.selectFrom('sync_run_entries')
      .select(['procore_user_id', 'name', 'action'])
      .where('run_id', '=', run.id)
      .where('superseded', '=', false)
      .orderBy('id')
      .execute();
    expect(entries.filter((e) => e.procore_user_id === base.id)).toEqual([
      { procore_user_id: base.id, name: 'Patrice Doe', action: 'created' },
    ]);
    expect(entries).toHaveLength(2);

    // The next hour's run starts counting afresh; a rename there is one update, first to last.
    const later = new Date('2026-11-01T11:10:00Z');
    const again = [
      { ...base, first_name: 'Pam', updated_at: '2026-11-01T11:01:00Z' },
      { ...base, first_name: 'Pamela', updated_at: '2026-11-01T11:02:00Z' },
    ];
    const deps2 = { ...depsWith(scripted(again.map((user) => ({ user })))), now: () => later };
    for (const _ of again) {
      await afterThisMillisecond();
      await applyUserChange(deps2, companyId, base.id);
    }
    const next = await db()
      .db.selectFrom('sync_runs')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '<>', run.id)
      .executeTakeFirstOrThrow();
    expect(next).toMatchObject({ seen: 1, updated: 1, created: 0, number: run.number + 1 });
    const [entry] = await db()
      .db.selectFrom('sync_run_entries')
      .select(['action', 'changes'])
      .where('run_id', '=', next.id)
      .where('superseded', '=', false)
      .execute();
    expect(entry).toEqual({
      action: 'updated',
      changes: [{ field: 'first_name', from: 'Patrice', to: 'Pamela' }],
    });
  });

  /** A directory of these users, counting each read; `failing` users' reads throw. */
  const counted = (users: SyncUser[], failing: Record<string, Error> = {}) => {
    const reads = new Map<string, number>();
    const directory = {
      async user(id: string) {
        reads.set(id, (reads.get(id) ?? 0) + 1);
        if (failing[id]) throw failing[id];
        return users.find((u) => u.id === id) ?? null;
      },
    } as unknown as UserDirectory;
    return Object.assign(() => directory, { reads });
  };
  /** The deps with a database that counts the transactions started through it. */
  const countingTransactions = (deps: ReturnType<typeof depsWith>) => {
    const real = deps.db;
    const counter = { transactions: 0 };
    const db = new Proxy(real, {
      get(target, prop) {
        if (prop === 'transaction') {
          counter.transactions++;
          return () => target.transaction();
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return Object.assign(counter, { deps: { ...deps, db } });
  };
  const deliverBy = (companyId: string, userId: string, authorId: string) =>
    db()
      .db.insertInto('webhook_deliveries')
      .values({
        company_id: companyId,
        delivery_key: `k-${Math.random()}`,
        payload_version: 'v4.0',
        resource_name: 'Company Users',
        event_type: 'update',
        resource_id: userId,
        payload: JSON.stringify({ user_id: authorId }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

  it('applies a burst of changes with one Procore read per user and one transaction', async () => {
    const { id: companyId } = await newCompany(db().db);
    const users = Array.from({ length: 40 }, () => procoreUser());
    const admin = users[0]!;
    const deliveries = [];
    for (const u of users) deliveries.push(await deliverBy(companyId, u.id, admin.id));
    // A second delivery for some: still one read of them.
    for (const u of users.slice(0, 5)) deliveries.push(await deliverBy(companyId, u.id, admin.id));
    const directoryFor = counted(users);
    const counting = countingTransactions(depsWith(directoryFor));

    const results = await applyUserChanges(
      counting.deps,
      companyId,
      users.map((u) => ({ userId: u.id, finalAttempt: false })),
    );

    expect([...results.values()]).toEqual(users.map(() => ({ outcome: 'applied' })));
    expect([...directoryFor.reads.values()]).toEqual(users.map(() => 1));
    expect(counting.transactions).toBe(1);
    const workers = await db()
      .db.selectFrom('workers')
      .select('procore_user_id')
      .where('company_id', '=', companyId)
      .execute();
    expect(workers).toHaveLength(40);
    for (const d of deliveries) expect((await delivery(d.id)).outcome).toBe('applied');
    const entries = await db()
      .db.selectFrom('sync_run_entries')
      .select(['action', 'changed_by_user_id', 'changed_by_name'])
      .where('company_id', '=', companyId)
      .execute();
    expect(entries).toHaveLength(40);
    for (const e of entries) {
      expect(e).toEqual({
        action: 'created',
        changed_by_user_id: admin.id,
        changed_by_name: displayName(admin),
      });
    }
  });

  it('retries a user whose read failed while the rest of the batch applies', async () => {
    const { id: companyId } = await newCompany(db().db);
    const users = Array.from({ length: 3 }, () => procoreUser());
    const stuck = users[1]!;
    const d = await deliver(companyId, stuck.id);
    const down = new ProcoreUnavailableError('Procore did not answer.', 3, false);
    const results = await applyUserChanges(
      depsWith(counted(users, { [stuck.id]: down })),
      companyId,
      users.map((u) => ({ userId: u.id, finalAttempt: false })),
    );
    expect(results.get(users[0]!.id)).toEqual({ outcome: 'applied' });
    expect(results.get(stuck.id)).toEqual({ retry: down });
    expect(results.get(users[2]!.id)).toEqual({ outcome: 'applied' });
    expect((await delivery(d.id)).outcome).toBe('queued');
    expect(await worker(companyId, stuck.id)).toBeUndefined();
    expect(await worker(companyId, users[2]!.id)).toEqual({ first_name: users[2]!.first_name, active: true });
  });

  it('holds a burst of deactivations in one batch exactly as if they had arrived one by one', async () => {
    const { id: companyId } = await newCompany(db().db);
    const users = Array.from({ length: 30 }, () => procoreUser());
    await applyUserChanges(
      depsWith(counted(users)),
      companyId,
      users.map((u) => ({ userId: u.id, finalAttempt: false })),
    );
    // 12 of 30 leave at once: the first nine go under the threshold, the tenth passes it.
    const leaving = users
      .slice(0, 12)
      .map((u) => ({ ...u, is_active: false, updated_at: '2026-11-02T10:00:00Z' }));
    const results = await applyUserChanges(
      depsWith(counted([...leaving, ...users.slice(12)])),
      companyId,
      leaving.map((u) => ({ userId: u.id, finalAttempt: false })),
    );
    expect([...results.values()].every((r) => 'outcome' in r && r.outcome === 'applied')).toBe(true);
    const active = await db()
      .db.selectFrom('workers')
      .select('procore_user_id')
      .where('company_id', '=', companyId)
      .where('active', '=', true)
      .execute();
    expect(active).toHaveLength(30); // nobody deactivated
    const review = await db()
      .db.selectFrom('sync_runs')
      .select(['status', 'would_deactivate'])
      .where('company_id', '=', companyId)
      .where('bucket_start', 'is', null)
      .execute();
    expect(review).toEqual([{ status: 'needs_review', would_deactivate: 12 }]);
    // The nine that went through first were undone into the review, as one by one.
    const logged = await db()
      .db.selectFrom('sync_run_entries as e')
      .innerJoin('sync_runs as r', 'r.id', 'e.run_id')
      .select(['e.procore_user_id', 'e.action'])
      .where('e.company_id', '=', companyId)
      .where('r.bucket_start', 'is not', null)
      .where('e.superseded', '=', false)
      .where('e.action', '=', 'reactivated')
      .execute();
    expect(logged.map((e) => e.procore_user_id).sort()).toEqual(
      leaving
        .slice(0, 9)
        .map((u) => u.id)
        .sort(),
    );
  });
});
