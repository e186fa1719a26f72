import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { insertDelivery } from '../../../server/webhooks/deliveries.repository';
import {
  requeueOrphanedDeliveries,
  requeueWaitingDeliveries,
} from '../../../server/webhooks/deliveries.service';
import { webhookUserChangeJob } from '../../../server/webhooks/webhook-user-change.job';
import { testServices } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';

/** Webhook changes accepted just before a crash are not left to pg-boss's expiry. */
describeEachDatabase('webhook work after a restart', ({ db }) => {
  it('queues every waiting delivery again at start, one job per user', async () => {
    const services = await testServices(db());
    try {
      const company = await newCompany(db().db);
      let n = 0;
      const deliver = (userId: string) =>
        insertDelivery(
          db().db,
          {
            deliveryKey: `k${++n}-${Math.random()}`,
            payloadVersion: 'v4.0',
            companyId: company.id,
            resourceName: 'Company Users',
            eventType: 'update',
            resourceId: userId,
            eventAt: new Date(),
            sourceApplicationId: null,
          },
          { json: '{}', outcome: 'queued', reason: null },
        );
      await deliver('101');
      await deliver('101');
      await deliver('102');
      expect(await requeueWaitingDeliveries(services)).toBe(2);
      // Their jobs still wait: asking again queues nothing more.
      expect(await requeueWaitingDeliveries(services)).toBe(0);
    } finally {
      await services.close();
    }
  });

  it('a job whose process died expires within a minute, on databases made before too', async () => {
    await sql`update pgboss.queue set expire_seconds = 300 where name = 'webhook-user-change'`.execute(
      db().db,
    );
    const services = await testServices(db());
    try {
      const { rows } = await sql<{ expire_seconds: number }>`
        select expire_seconds from pgboss.queue where name = 'webhook-user-change'`.execute(db().db);
      expect(rows[0]?.expire_seconds).toBeLessThanOrEqual(60);
    } finally {
      await services.close();
    }
  });

  it('queues a delivery left without a job after a minute, and leaves users with a job alone', async () => {
    const services = await testServices(db());
    try {
      const company = await newCompany(db().db);
      const deliver = (userId: string, receivedAt: Date) =>
        db()
          .db.insertInto('webhook_deliveries')
          .values({
            company_id: company.id,
            delivery_key: `o-${Math.random()}`,
            payload_version: 'v4.0',
            resource_name: 'Company Users',
            event_type: 'update',
            resource_id: userId,
            payload: '{}',
            received_at: receivedAt,
          })
          .execute();
      const now = new Date();
      const longAgo = new Date(now.getTime() - 5 * 60_000);
      await deliver('201', longAgo); // its process died before queueing the job
      await deliver('202', longAgo); // its job is still waiting
      await deliver('203', now); // its job is being queued right now
      await services.jobs.send(
        webhookUserChangeJob,
        { companyId: company.id, userId: '202' },
        { singletonKey: `${company.id}:202` },
      );
      expect(await requeueOrphanedDeliveries(services, 60_000, now)).toBe(1);
      const { rows } = await sql<{ singleton_key: string }>`
        select singleton_key from pgboss.job where name = 'webhook-user-change'
          and singleton_key like ${`${company.id}:%`} order by singleton_key`.execute(db().db);
      expect(rows.map((r) => r.singleton_key)).toEqual([`${company.id}:201`, `${company.id}:202`]);
      // Queued now: nothing more the next minute.
      expect(await requeueOrphanedDeliveries(services, 60_000, now)).toBe(0);
    } finally {
      await services.close();
    }
  });
});
