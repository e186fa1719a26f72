import { pino } from 'pino';
import { expect, it } from 'vitest';
import { insertSession } from '../../../server/auth/sessions.repository';
import { insertHandoff, insertOAuthState } from '../../../server/install/oauth.repository';
import { purgeExpiredRecords, RETENTION } from '../../../server/retention/retention.job';
import { insertQueuedRun } from '../../../server/runs/runs.repository';
import { insertDelivery, settleDeliveries } from '../../../server/webhooks/deliveries.repository';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';

const DAY = 24 * 60 * 60 * 1000;

/** The daily retention job: each owner purges its own table, by the ages README states. */
describeEachDatabase('retention', ({ db }) => {
  const now = new Date('2027-06-01T03:17:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  const purge = () => purgeExpiredRecords({ db: db().db, now: () => now, log: pino({ level: 'silent' }) });
  let seq = 0;
  const hash = () => `h${++seq}-${Math.random()}`;

  it('purges spent OAuth states and one-time codes after a day, and keeps pending ones', async () => {
    const company = await newCompany(db().db);
    const state = (o: { expiresAt: Date; usedAt?: Date }) =>
      insertOAuthState(db().db, {
        stateHash: hash(),
        nonceHash: hash(),
        companyId: company.id,
        expiresAt: o.expiresAt,
      });
    await state({ expiresAt: ago(3) }); // expired long ago
    await state({ expiresAt: new Date(now.getTime() + 600_000) }); // a sign-in in progress
    const sessionId = `retention-${hash()}`;
    await insertSession(db().db, {
      id: sessionId,
      companyId: company.id,
      companyEpoch: 0,
      procoreUserId: '1',
      userName: 'Ada',
      isAdmin: true,
      adminRule: 'manifest',
      grant: 'none',
      tokens: null,
      expiresAt: new Date(now.getTime() + 3_600_000),
      now,
    });
    const handoff = (expiresAt: Date) =>
      insertHandoff(db().db, {
        codeHash: hash(),
        companyId: company.id,
        procoreUserId: '1',
        userName: 'Ada',
        isAdmin: true,
        sessionId,
        expiresAt,
      });
    await handoff(ago(2));
    await handoff(new Date(now.getTime() + 60_000));
    await db()
      .db.updateTable('auth_handoffs')
      .set({ used_at: ago(5) })
      .where('expires_at', '>', now)
      .execute();
    await handoff(new Date(now.getTime() + 120_000));

    const purged = await purge();
    expect(purged.oauth).toBe(3);
    const states = await db().db.selectFrom('oauth_states').select('expires_at').execute();
    expect(states.every((s) => new Date(s.expires_at) > now)).toBe(true);
    const handoffs = await db().db.selectFrom('auth_handoffs').selectAll().execute();
    expect(handoffs.map((h) => h.used_at)).toEqual([null]);
  });

  it('purges settled deliveries after 30 days, never a waiting one', async () => {
    const company = await newCompany(db().db);
    const deliver = async (receivedAt: Date, settled: boolean) => {
      const row = await insertDelivery(
        db().db,
        {
          deliveryKey: hash(),
          payloadVersion: 'v4.0',
          companyId: company.id,
          resourceName: 'Company Users',
          eventType: 'update',
          resourceId: '55',
          eventAt: receivedAt,
          sourceApplicationId: null,
        },
        { json: '{}', outcome: 'queued', reason: null },
      );
      await db()
        .db.updateTable('webhook_deliveries')
        .set({ received_at: receivedAt })
        .where('id', '=', row!.id)
        .execute();
      if (settled)
        await settleDeliveries(db().db, company.id, [row!.id], {
          outcome: 'applied',
          reason: null,
          at: receivedAt,
        });
      return row!.id;
    };
    await deliver(ago(RETENTION.deliveriesDays + 1), true);
    const waiting = await deliver(ago(RETENTION.deliveriesDays + 5), false);
    const recent = await deliver(ago(RETENTION.deliveriesDays - 1), true);
    const purged = await purge();
    expect(purged.deliveries).toBeGreaterThanOrEqual(1);
    const left = await db()
      .db.selectFrom('webhook_deliveries')
      .select('id')
      .where('company_id', '=', company.id)
      .orderBy('id')
      .execute();
    expect(left.map((r) => r.id)).toEqual([waiting, recent].sort((a, b) => Number(a) - Number(b)));
  });

  it('purges finished runs and their entries after 90 days, but keeps each company’s newest runs', async () => {
    const busy = await newCompany(db().db);
    const quiet = await newCompany(db().db);
    const finishedRun = async (companyId: string, finishedAt: Date) => {
      const run = await insertQueuedRun(db().db, {
        kind: 'users',
        companyId,
        trigger: 'auto',
        mode: 'full',
        startedByUserId: null,
        startedByName: null,
        now: finishedAt,
      });
      await db()
        .db.updateTable('sync_runs')
        .set({ status: 'succeeded', finished_at: finishedAt })
        .where('id', '=', run!.id)
        .execute();
      await db()
        .db.insertInto('sync_run_entries')
        .values({
          run_id: run!.id,
          company_id: companyId,
          procore_user_id: '9',
          name: 'A B',
          action: 'unchanged',
        })
        .execute();
      return run!.id;
    };
    const old = RETENTION.runsDays + 10;
    for (let i = 0; i < RETENTION.keepLatestRuns + 5; i++) await finishedRun(busy.id, ago(old));
    const recentBusy = await finishedRun(busy.id, ago(1));
    for (let i = 0; i < 3; i++) await finishedRun(quiet.id, ago(old));

    await purge();
    const count = async (companyId: string) =>
      Number(
        (
          await db()
            .db.selectFrom('sync_runs')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('company_id', '=', companyId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    // The busy company keeps its newest runs (the recent one among them); the quiet one keeps all.
    expect(await count(busy.id)).toBe(RETENTION.keepLatestRuns);
    expect(await count(quiet.id)).toBe(3);
    const kept = await db().db.selectFrom('sync_runs').select('id').where('id', '=', recentBusy).execute();
    expect(kept).toHaveLength(1);
    const orphans = await db()
      .db.selectFrom('sync_run_entries')
      .select('id')
      .where('run_id', 'not in', (eb) => eb.selectFrom('sync_runs').select('id'))
      .execute();
    expect(orphans).toEqual([]);
  });
});
