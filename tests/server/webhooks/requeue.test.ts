import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { insertDelivery } from '../../../server/webhooks/deliveries.repository';
import { requeueWaitingDeliveries } from '../../../server/webhooks/deliveries.service';
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
});
