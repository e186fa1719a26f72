import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashSecret } from '../../../server/auth/session';
import type { SyncUser } from '../../../server/sync/procore-user';
import { buildTestApp } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser } from '../../helpers/sync-factories';
import { badRequest, prng } from './fuzz-bodies';
import { eventually, userEvent } from './harness';

/**
 * 2,000 generated bad bodies get only 4xx (nothing that can never
 * succeed gets a 5xx), the process stays healthy, and valid deliveries sent between them all land.
 */
const BAD = 2_000;
const VALID_EVERY = 20;
const SEED = 20261125;

describeEachDatabase('webhook receiver under garbage', ({ db, backend }) => {
  let app: FastifyInstance;
  let companyId: string;
  const secret = 'Bearer fuzz-secret-0123456789abcdefghijklmnopqrstuv';
  const users: SyncUser[] = Array.from({ length: BAD / VALID_EVERY }, () => procoreUser());

  beforeAll(async () => {
    companyId = (await newCompany(db().db)).id;
    await db()
      .db.updateTable('companies')
      .set({ webhook_secret_hash: hashSecret(secret) })
      .where('id', '=', companyId)
      .execute();
    app = await buildTestApp(db(), { directoryFor: () => memoryDirectory({ active: [users] }), jobs: true });
  });
  afterAll(async () => {
    await app?.close();
    if (backend === 'postgres') {
      // pg-pool's end() resolves before its sockets have closed; the helper then drops the
      // database WITH (FORCE), and a socket still closing reports the server's FATAL as an
      // unhandled error. Closing the pool here (destroy is idempotent) gives the sockets time.
      await db().db.destroy();
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('answers every bad body with a 4xx and applies every valid delivery between them', async () => {
    const r = prng(SEED);
    const statuses = new Map<string, Set<number>>();
    const valid: string[] = [];
    for (let i = 0; i < BAD; i++) {
      const bad = badRequest(r, () => userEvent(companyId, users[0]!.id), secret);
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/procore',
        headers: {
          ...(bad.contentType ? { 'content-type': bad.contentType } : {}),
          authorization: bad.authorization,
        },
        payload: bad.payload,
      });
      const seen = statuses.get(bad.kind) ?? new Set();
      statuses.set(bad.kind, seen.add(res.statusCode));
      if (res.statusCode < 400 || res.statusCode >= 500) {
        throw new Error(`#${i} (${bad.kind}) got ${res.statusCode}: ${bad.payload.slice(0, 300)}`);
      }
      if (res.statusCode !== 401 && res.statusCode !== 413 && res.statusCode !== 415) {
        expect(res.json().error.message, bad.kind).toBeTruthy(); // a reason, not just a status
      }
      if (i % VALID_EVERY === VALID_EVERY - 1) {
        const user = users[valid.length]!;
        const ok = await app.inject({
          method: 'POST',
          url: '/webhooks/procore',
          headers: { authorization: secret },
          payload: userEvent(companyId, user.id, 'create'),
        });
        expect(ok.statusCode).toBe(202);
        valid.push(user.id);
      }
    }
    expect(statuses.size).toBeGreaterThanOrEqual(10); // every generator was exercised

    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    const stored = await db()
      .db.selectFrom('webhook_deliveries')
      .select(['resource_id', 'outcome'])
      .where('company_id', '=', companyId)
      .execute();
    expect(stored).toHaveLength(valid.length); // no bad body was stored
    await eventually(
      async () => {
        const workers = await db()
          .db.selectFrom('workers')
          .select('procore_user_id')
          .where('company_id', '=', companyId)
          .where('active', '=', true)
          .execute();
        return workers.length === valid.length;
      },
      'every valid delivery to become a worker',
      15_000,
    );
    const outcomes = await db()
      .db.selectFrom('webhook_deliveries')
      .select('outcome')
      .where('company_id', '=', companyId)
      .execute();
    expect(new Set(outcomes.map((o) => o.outcome))).toEqual(new Set(['applied']));
  }, 180_000);
});
