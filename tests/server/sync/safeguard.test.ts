import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createCompaniesService } from '../../../server/companies/companies.service';
import { createProcoreClient } from '../../../server/procore/client';
import { insertQueuedRun } from '../../../server/runs/runs.repository';
import type { UserDirectory } from '../../../server/sync/directory';
import type { SyncUser } from '../../../server/sync/procore-user';
import { cancelReview, confirmReview } from '../../../server/sync/review';
import { applyUserChange } from '../../../server/webhooks/apply-user-change';
import { testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany, procoreUser } from '../../helpers/sync-factories';
import { runSync } from '../../helpers/sync-runner';

/**
 * The mass-deactivation safeguard's rules across syncs and webhooks (server/sync/safeguard.ts),
 * with a Procore directory held in memory and a clock the test moves: the rolling window, one
 * webhook review, a cancelled review honoured by retries and syncs until the user changes.
 */
describeEachDatabase('the deactivation safeguard across syncs and webhooks', ({ db }) => {
  const MINUTE = 60_000;

  /** Procore's directory as it is now: tests change users, syncs and webhooks read them. */
  const procore = (users: SyncUser[]) => {
    const byId = new Map(users.map((u) => [u.id, u]));
    const directory: UserDirectory = {
      async *activeUsers() {
        const active = [...byId.values()].filter((u) => u.is_active);
        yield { users: active, total: active.length };
      },
      async *inactiveUsers() {
        const inactive = [...byId.values()].filter((u) => !u.is_active);
        yield { users: inactive, total: inactive.length };
      },
      async user(id) {
        return byId.get(id) ?? null;
      },
      async classifications() {
        return [];
      },
    };
    return {
      directory,
      set(id: string, patch: Partial<SyncUser>) {
        byId.set(id, { ...byId.get(id)!, ...patch });
      },
    };
  };

  const setup = async (size = 40) => {
    const company = await newCompany(db().db);
    const users = Array.from({ length: size }, () => procoreUser());
    const p = procore(users);
    // Our clock (the rolling window); Procore's updated_at values are Procore's own.
    const clock = { now: new Date() };
    const deps = {
      db: db().db,
      database: db(),
      companies: createCompaniesService({
        db: db().db,
        procore: createProcoreClient({ config: testConfig(), db: db().db }),
      }),
      directoryFor: () => p.directory,
      now: () => clock.now,
      log: pino({ level: 'silent' }),
    };
    const sync = async () => {
      const queued = await insertQueuedRun(db().db, {
        kind: 'users',
        companyId: company.id,
        trigger: 'manual',
        mode: 'full',
        startedByUserId: '1',
        startedByName: 'Ada Admin',
        now: new Date(),
      });
      return (await runSync(db().db, () => p.directory, company.id, queued!.id))!;
    };
    /** A webhook's job for each user, one after the other, as Procore's deliveries arrive. */
    const webhooks = async (ids: readonly string[]) => {
      for (const id of ids) expect(await applyUserChange(deps, company.id, id)).toBe('applied');
    };
    const active = async (ids: readonly string[]) =>
      (
        await db()
          .db.selectFrom('workers')
          .select('active')
          .where('company_id', '=', company.id)
          .where('procore_user_id', 'in', [...ids])
          .execute()
      ).filter((w) => w.active).length;
    const reviews = () =>
      db()
        .db.selectFrom('sync_runs')
        .selectAll()
        .where('company_id', '=', company.id)
        .where('status', '=', 'needs_review')
        .orderBy('id')
        .execute();
    const entries = (runId: string) =>
      db()
        .db.selectFrom('sync_run_entries')
        .select(['procore_user_id', 'action', 'reason_code', 'reason'])
        .where('company_id', '=', company.id)
        .where('run_id', '=', runId)
        .execute();
    expect(await sync()).toMatchObject({ status: 'succeeded', created: size });
    const ids = users.map((u) => u.id);
    return { company, p, clock, sync, webhooks, active, reviews, entries, ids };
  };
  const admin = { byName: 'Ada Admin', now: new Date() };

  it('counts webhook deactivations over 60 minutes, holding the window’s own once it passes the threshold', async () => {
    const t = await setup(40);
    const [early, recent, last] = [t.ids.slice(0, 9), t.ids.slice(9, 18), t.ids[18]!];
    for (const id of early) t.p.set(id, { is_active: false, updated_at: '2026-11-20T09:00:00Z' });
    await t.webhooks(early);
    expect(await t.active(early)).toBe(0); // under the minimum of 10: applied at once

    t.clock.now = new Date(t.clock.now.getTime() + 61 * MINUTE);
    for (const id of recent) t.p.set(id, { is_active: false, updated_at: '2026-11-20T10:01:00Z' });
    await t.webhooks(recent);
    expect(await t.active(recent)).toBe(0); // the early nine are out of the window
    expect(await t.reviews()).toEqual([]);

    t.clock.now = new Date(t.clock.now.getTime() + MINUTE);
    t.p.set(last, { is_active: false, updated_at: '2026-11-20T10:02:00Z' });
    await t.webhooks([last]);
    // Ten within the hour, of 31 synced workers before them: held, the window's nine undone.
    expect(await t.active([...recent, last])).toBe(10);
    expect(await t.active(early)).toBe(0);
    const [review] = await t.reviews();
    expect(review).toMatchObject({ trigger: 'webhook', mode: 'webhook', would_deactivate: 10 });
    expect(review!.status_reason).toMatch(
      /^Procore's webhooks would deactivate 10 of 31 synced workers \(32%\)/,
    );

    // A held user who is active again in Procore leaves the review; nothing else changes.
    const back = recent[0]!;
    t.p.set(back, { is_active: true, updated_at: '2026-11-20T10:05:00Z' });
    await t.webhooks([back]);
    expect((await t.reviews())[0]).toMatchObject({ id: review!.id, would_deactivate: 9, unchanged: 1 });
    expect((await t.entries(review!.id)).find((e) => e.procore_user_id === back)).toMatchObject({
      action: 'unchanged',
      reason_code: 'active_again',
    });

    // A full sync meanwhile leaves the held ones to the review, and does not supersede it.
    const during = await t.sync();
    expect(during).toMatchObject({ status: 'succeeded', deactivated: 0 });
    const left = (await t.entries(during.id)).filter((e) => e.reason_code === 'held_for_review');
    expect(left).toHaveLength(9);
    expect(await t.reviews()).toMatchObject([{ id: review!.id }]);

    const confirmed = await confirmReview(db().db, t.company.id, review!.id, admin);
    expect(confirmed).toMatchObject({ status: 'succeeded', deactivated: 9 });
    expect(await t.active([...recent, last])).toBe(1); // only the one back in Procore
  });

  it('keeps a cancelled sync review’s users active against webhook retries and later syncs, until they change in Procore', async () => {
    const t = await setup(40);
    const leaving = t.ids.slice(0, 12);
    for (const id of leaving) t.p.set(id, { is_active: false, updated_at: '2026-11-20T09:30:00Z' });
    const held = await t.sync();
    expect(held).toMatchObject({ status: 'needs_review', would_deactivate: 12 });

    // While the review waits, a webhook for one of them waits for it too.
    await t.webhooks([leaving[0]!]);
    expect(await t.active(leaving)).toBe(12);

    await cancelReview(db().db, t.company.id, held.id, admin);
    await t.webhooks(leaving); // Procore's retries
    await t.webhooks(leaving);
    expect(await t.active(leaving)).toBe(12);

    const later = await t.sync();
    expect(later).toMatchObject({ status: 'succeeded', deactivated: 0, would_deactivate: 0 });
    const kept = (await t.entries(later.id)).filter((e) => leaving.includes(e.procore_user_id!));
    expect(kept).toHaveLength(12);
    for (const e of kept) {
      expect(e).toMatchObject({ action: 'unchanged', reason_code: 'deactivation_cancelled' });
      expect(e.reason).toBe(
        'Inactive in Procore; Ada Admin cancelled this deactivation in a review: stays active until the user changes in Procore',
      );
    }
    expect(await t.active(leaving)).toBe(12);

    // Changed in Procore after the cancel: judged afresh (one is under the minimum: applied).
    t.p.set(leaving[0]!, { updated_at: '2026-11-20T11:00:00Z' });
    await t.webhooks([leaving[0]!]);
    expect(await t.active(leaving)).toBe(11);

    // The others changed too: a full sync asks again, holding them in a new review to confirm.
    for (const id of leaving.slice(1)) t.p.set(id, { updated_at: '2026-11-20T11:00:00Z' });
    const again = await t.sync();
    expect(again).toMatchObject({ status: 'needs_review', would_deactivate: 11 });
    expect(await confirmReview(db().db, t.company.id, again.id, admin)).toMatchObject({ deactivated: 11 });
    expect(await t.active(leaving)).toBe(0);
  });
});
