import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashSecret } from '../../../server/auth/session';
import type { Database } from '../../../server/db/database';
import type { Services } from '../../../server/services';
import { createDeliveryIntake } from '../../../server/webhooks/intake';
import { parseDelivery } from '../../../server/webhooks/payload';
import { buildTestApp } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';
import { userEvent } from './harness';

/**
 * Recording a delivery never waits for the database's one PGlite connection: the receiver answers
 * while something else holds it (a sync's page, a batch of jobs), and the delivery and its job
 * reach the database once it is free. Deliveries answered but not yet written survive a restart.
 */
describeEachDatabase('the webhook receiver records deliveries', ({ db, backend }) => {
  let app: FastifyInstance & { services: Services };
  let companyId: string;
  const secret = 'Bearer intake-secret-0123456789abcdefghijklmnopqrs';

  beforeAll(async () => {
    companyId = (await newCompany(db().db)).id;
    await db()
      .db.updateTable('companies')
      .set({ webhook_secret_hash: hashSecret(secret) })
      .where('id', '=', companyId)
      .execute();
    app = await buildTestApp(db());
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (body: object) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/procore',
      headers: { authorization: secret },
      payload: body,
    });
  const stored = (key: string) =>
    db()
      .db.selectFrom('webhook_deliveries')
      .select(['outcome', 'resource_id'])
      .where('company_id', '=', companyId)
      .where('delivery_key', '=', key)
      .executeTakeFirst();
  const jobsFor = async (userId: string) =>
    Number(
      (
        await sql<{ n: string }>`select count(*) as n from pgboss.job
          where name = 'webhook-user-change' and singleton_key = ${`${companyId}:${userId}`}`.execute(db().db)
      ).rows[0]?.n,
    );

  it('answers while another transaction holds the database, and records the delivery once it ends', async () => {
    // The company's secret is known from an earlier delivery.
    expect((await post(userEvent(companyId, '8100100'))).statusCode).toBe(202);
    await app.services.webhookIntake.flush();

    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => {
      holding = r;
    });
    const transaction = db()
      .db.transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
        holding();
        await new Promise<void>((r) => {
          release = r;
        });
      });
    await held;
    try {
      const event = userEvent(companyId, '8100101');
      const answer = await Promise.race([
        post(event),
        new Promise<null>((r) => setTimeout(() => r(null), 3_000)),
      ]);
      expect(answer?.statusCode).toBe(202);
      if (backend === 'pglite') expect(await Promise.race([stored(event.id), 'waiting'])).toBe('waiting');
      release();
      await transaction;
      await app.services.webhookIntake.flush();
      expect(await stored(event.id)).toEqual({ outcome: 'queued', resource_id: '8100101' });
      expect(await jobsFor('8100101')).toBe(1);
      // A repeat is answered as one and changes nothing.
      expect((await post(event)).statusCode).toBe(200);
      await app.services.webhookIntake.flush();
      expect(await jobsFor('8100101')).toBe(1);
    } finally {
      release?.();
      await transaction;
    }
  });

  it("answers while another transaction holds the company's row", async () => {
    // The company's secret is known from an earlier delivery, long enough ago that the company's
    // last-delivery time is due again.
    expect((await post(userEvent(companyId, '8100149'))).statusCode).toBe(202);
    await app.services.webhookIntake.flush();
    await new Promise((r) => setTimeout(r, 1_100));
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => {
      holding = r;
    });
    const transaction = db()
      .db.transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('companies')
          .set({ updated_at: new Date() })
          .where('id', '=', companyId)
          .execute();
        holding();
        await new Promise<void>((r) => {
          release = r;
        });
      });
    await held;
    try {
      const event = userEvent(companyId, '8100150');
      const answer = await Promise.race([
        post(event),
        new Promise<null>((r) => setTimeout(() => r(null), 3_000)),
      ]);
      expect(answer?.statusCode).toBe(202);
    } finally {
      release();
      await transaction;
    }
    await app.services.webhookIntake.flush();
  });

  it('answers a delivery while another one waits on the database', async () => {
    expect((await post(userEvent(companyId, '8100160'))).statusCode).toBe(202);
    await app.services.webhookIntake.flush();
    const stuck = userEvent(companyId, '8100161');
    // An uncommitted row with the same id: storing `stuck` waits for this transaction to end.
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => {
      holding = r;
    });
    const transaction = db()
      .db.transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('webhook_deliveries')
          .values({
            company_id: companyId,
            delivery_key: stuck.id,
            payload_version: 'v4.0',
            resource_name: 'Company Users',
            event_type: 'update',
            resource_id: '8100161',
            payload: '{}',
            outcome: 'ignored',
          })
          .execute();
        holding();
        await new Promise<void>((r) => {
          release = r;
        });
      });
    await held;
    try {
      const waiting = post(stuck);
      await new Promise((r) => setTimeout(r, 100));
      const answer = await Promise.race([
        post(userEvent(companyId, '8100162')),
        new Promise<null>((r) => setTimeout(() => r(null), 3_000)),
      ]);
      expect(answer?.statusCode).toBe(202);
      release();
      await transaction;
      expect([200, 202]).toContain((await waiting).statusCode);
    } finally {
      release?.();
      await transaction;
    }
    await app.services.webhookIntake.flush();
  });

  it('records a burst of deliveries in a few transactions, with one job per user', async () => {
    const events = Array.from({ length: 60 }, (_, i) => userEvent(companyId, String(8100200 + (i % 20))));
    const answers = await Promise.all(events.map((e) => post(e)));
    expect(answers.map((a) => a.statusCode)).toEqual(events.map(() => 202));
    await app.services.webhookIntake.flush();
    const rows = await db()
      .db.selectFrom('webhook_deliveries')
      .select('delivery_key')
      .where('company_id', '=', companyId)
      .where(
        'delivery_key',
        'in',
        events.map((e) => e.id),
      )
      .execute();
    expect(rows).toHaveLength(60);
    for (let i = 0; i < 20; i++) expect(await jobsFor(String(8100200 + i))).toBe(1);
  });
});

describeEachDatabase('webhook deliveries journaled while the database cannot take them', ({ db }) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pws-journal-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const log = pino({ level: 'silent' });

  it('are recorded at the next start when the process could not write them', async () => {
    const { id: companyId } = await newCompany(db().db);
    const sent: Array<{ name: string; keys: string[] }> = [];
    const jobs = {
      async sendMany(def: { name: string }, items: ReadonlyArray<{ singletonKey?: string }>) {
        sent.push({ name: def.name, keys: items.map((i) => i.singletonKey ?? '') });
      },
      wake() {},
    };
    // The first process answers three deliveries but never gets the database.
    const unreachable = {
      transaction: () => ({ execute: () => Promise.reject(new Error('the database is gone')) }),
    } as unknown as Kysely<Database>;
    const first = createDeliveryIntake({ db: unreachable, jobs, log }, { kind: 'pglite', dataDir: dir });
    const events = ['8100301', '8100302', '8100302'].map((u) => userEvent(companyId, u));
    for (const e of events) {
      const parsed = parseDelivery(e);
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(
        await first.accept({
          event: parsed.event,
          json: JSON.stringify(e),
          outcome: 'queued',
          reason: null,
          receivedAt: new Date('2026-11-27T10:00:00Z'),
        }),
      ).toBe('new');
    }
    await first.close();
    const journal = join(dir, 'webhook-journal');
    const lines = readdirSync(journal).flatMap((f) =>
      readFileSync(join(journal, f), 'utf8').split('\n').filter(Boolean),
    );
    expect(lines).toHaveLength(3);

    // The next start records them, with their jobs, and removes the journal.
    const next = createDeliveryIntake({ db: db().db, jobs, log }, { kind: 'pglite', dataDir: dir });
    await next.flush();
    const rows = await db()
      .db.selectFrom('webhook_deliveries')
      .select(['delivery_key', 'resource_id', 'outcome', 'received_at'])
      .where('company_id', '=', companyId)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.delivery_key)).toEqual(events.map((e) => e.id));
    expect(rows.every((r) => r.outcome === 'queued')).toBe(true);
    expect(rows[0]?.received_at.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    expect(sent).toEqual([
      {
        name: 'webhook-user-change',
        keys: [`${companyId}:8100301`, `${companyId}:8100302`],
      },
    ]);
    expect(readdirSync(journal)).toEqual([]);
    await next.close();
  });

  it('writes a steady stream of deliveries in batches, not a transaction each', async () => {
    const { id: companyId } = await newCompany(db().db);
    let transactions = 0;
    const real = db().db;
    const counting = new Proxy(real, {
      get(target, prop) {
        if (prop === 'transaction') {
          transactions++;
          return () => target.transaction();
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const jobs = { sendMany: async () => {}, wake() {} };
    const intake = createDeliveryIntake({ db: counting, jobs, log }, { kind: 'pglite' });
    // 60 deliveries over about 300 ms (200 a second).
    for (let i = 0; i < 60; i++) {
      const e = userEvent(companyId, String(8100400 + i));
      const parsed = parseDelivery(e);
      if (!parsed.ok) throw new Error(parsed.reason);
      await intake.accept({
        event: parsed.event,
        json: JSON.stringify(e),
        outcome: 'queued',
        reason: null,
        receivedAt: new Date(),
      });
      await new Promise((r) => setTimeout(r, 5));
    }
    await intake.flush();
    await intake.close();
    const stored = await db()
      .db.selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('company_id', '=', companyId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(60);
    expect(transactions).toBeLessThanOrEqual(15);
  });

  it('stores deliveries arriving together in one statement on PostgreSQL, answers each, then queues their jobs', async () => {
    const { id: companyId } = await newCompany(db().db);
    let statements = 0;
    const real = db().db;
    const counting = new Proxy(real, {
      get(target, prop) {
        if (prop === 'transaction' || prop === 'insertInto') statements++;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const queued: string[] = [];
    // The jobs' statement waits: the answers do not.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => {
      openGate = r;
    });
    const jobs = {
      async sendMany(_def: unknown, items: ReadonlyArray<{ singletonKey?: string }>) {
        await gate;
        queued.push(...items.map((i) => i.singletonKey ?? ''));
      },
      wake() {},
    };
    const intake = createDeliveryIntake({ db: counting, jobs, log }, { kind: 'postgres' });
    const events = Array.from({ length: 50 }, (_, i) => userEvent(companyId, String(8100500 + i)));
    const accept = (e: ReturnType<typeof userEvent>) => {
      const parsed = parseDelivery(e);
      if (!parsed.ok) throw new Error(parsed.reason);
      return intake.accept({
        event: parsed.event,
        json: JSON.stringify(e),
        outcome: 'queued',
        reason: null,
        receivedAt: new Date(),
      });
    };
    // All at once, one of them twice.
    const answers = await Promise.all([...events, events[7]!].map(accept));
    expect(answers.filter((a) => a === 'new')).toHaveLength(50);
    expect(answers.filter((a) => a === 'duplicate')).toHaveLength(1);
    expect(statements).toBeLessThanOrEqual(3);
    expect(queued).toEqual([]);
    openGate();
    await intake.flush();
    expect(queued.sort()).toEqual(events.map((e) => `${companyId}:${e.resource_id}`).sort());
    const stored = await db()
      .db.selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('company_id', '=', companyId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(50);
    await intake.close();
  });
});
