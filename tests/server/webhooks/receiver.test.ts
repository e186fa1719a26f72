import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashSecret } from '../../../server/auth/session';
import { buildTestApp } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';
import { userEvent } from './harness';

/**
 * A caller without a company's secret learns nothing from the receiver: an unknown company, a
 * company that disconnected the app and a wrong secret all get the same 401.
 */
describeEachDatabase('webhook receiver answers', ({ db }) => {
  let app: FastifyInstance;
  const secret = 'Bearer receiver-secret-0123456789abcdefghijklmnopq';
  let connected: string;
  let disconnected: string;

  beforeAll(async () => {
    connected = (await newCompany(db().db)).id;
    disconnected = (await newCompany(db().db)).id;
    await db()
      .db.updateTable('companies')
      .set({ webhook_secret_hash: hashSecret(secret) })
      .where('id', 'in', [connected, disconnected])
      .execute();
    await db()
      .db.updateTable('companies')
      .set({ connection_state: 'disconnected' })
      .where('id', '=', disconnected)
      .execute();
    app = await buildTestApp(db());
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (companyId: string, authorization: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/procore',
      headers: { authorization },
      payload: userEvent(companyId, '8100009'),
    });

  it('answers an unknown company, a disconnected one and a wrong secret alike', async () => {
    const answers = await Promise.all([
      post('9999999991', secret),
      post(disconnected, secret),
      post(connected, 'Bearer not-the-secret'),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect((await post(connected, secret)).statusCode).toBe(202);
  });
});
