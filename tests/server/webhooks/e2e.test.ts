import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../helpers/db';
import { ACME } from '../../helpers/sandbox';
import { eventually, hookSecret, startWebhookStack, userEvent, type WebhookStack } from './harness';

/**
 * Webhooks end to end: the sandbox really POSTs its deliveries to the listening app
 * (procore-api.md §6.3), the job reads the user back from the sandbox and applies it.
 */
describeEachDatabase('webhooks from the sandbox reach the workers', ({ db }) => {
  let s: WebhookStack;
  beforeAll(async () => {
    s = await startWebhookStack(db());
  }, 30_000);
  afterAll(async () => {
    await s?.close();
  });

  let phoneSeq = 0;
  const newProcoreUser = async (first: string) => {
    phoneSeq += 1;
    const user = await s.sandbox.control<{ id: number }>(`/_sandbox/companies/${ACME}/users`, {
      body: {
        first_name: first,
        last_name: 'Hooked',
        email_address: `${first.toLowerCase()}.hooked@example.com`,
        mobile_phone: `(415) 555-${String(7000 + phoneSeq)}`,
        is_employee: true,
        employee_id: `WH-${phoneSeq}`,
      },
    });
    return String(user.id);
  };
  const worker = (userId: string) =>
    db()
      .db.selectFrom('workers')
      .select(['id', 'first_name', 'last_name', 'active', 'deactivated_reason'])
      .where('company_id', '=', ACME)
      .where('procore_user_id', '=', userId)
      .executeTakeFirst();
  const edit = (userId: string, body: Record<string, unknown>) =>
    s.sandbox.control(`/_sandbox/companies/${ACME}/users/${userId}`, { method: 'PATCH', body });
  const post = (body: unknown, authorization: string) =>
    fetch(`${s.url}/webhooks/procore`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
    });
  const deliveriesFor = (userId: string) =>
    db()
      .db.selectFrom('webhook_deliveries')
      .select(['outcome', 'delivery_key'])
      .where('company_id', '=', ACME)
      .where('resource_id', '=', userId)
      .execute();
  const userReads = async (userId: string) => {
    const { items } = await s.sandbox.control<{ items: Array<{ path: string; method: string }> }>(
      `/_sandbox/requests?method=GET&path_prefix=${encodeURIComponent(`/rest/v1.3/companies/${ACME}/users/${userId}`)}`,
    );
    return items.filter((r) => /\/users\/\d+$/.test(r.path)).length;
  };
  const pendingJobs = async (userId: string) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pgboss.job
      where name = 'webhook-user-change' and singleton_key = ${`${ACME}:${userId}`}
        and state in ('created', 'retry', 'active')`.execute(db().db);
    return rows[0]?.n ?? 0;
  };
  const settled = (userId: string) =>
    eventually(async () => {
      const rows = await deliveriesFor(userId);
      return rows.length > 0 && rows.every((r) => r.outcome !== 'queued') && rows;
    }, `deliveries for user ${userId} to be applied`);

  it('applies an edit made in Procore to the worker row within seconds', async () => {
    const userId = await newProcoreUser('Wanda');
    expect(await eventually(() => worker(userId), 'the created worker')).toMatchObject({
      first_name: 'Wanda',
      active: true,
    });
    const started = Date.now();
    await edit(userId, { first_name: 'Wendy' });
    await eventually(async () => (await worker(userId))?.first_name === 'Wendy', 'the edit to arrive');
    expect(Date.now() - started).toBeLessThan(5_000);
    const rows = await settled(userId);
    expect(rows.map((r) => r.outcome)).toEqual(['applied', 'applied']);
  });

  it('gives a delivery repeated 5 times one effect', async () => {
    const userId = await newProcoreUser('Rita');
    await eventually(() => worker(userId), 'the created worker');
    await settled(userId);
    const readsBefore = await userReads(userId);
    const event = userEvent(ACME, userId);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(event, hookSecret(s.sandbox, ACME)).then((r) => r.status)),
    );
    expect(answers.filter((a) => a === 202)).toHaveLength(1);
    expect(answers.filter((a) => a === 200)).toHaveLength(4);
    await settled(userId);
    const rows = (await deliveriesFor(userId)).filter((r) => r.delivery_key === event.id);
    expect(rows).toEqual([{ outcome: 'applied', delivery_key: event.id }]);
    // Whatever the five deliveries queued has run once none of this user's jobs is waiting.
    await eventually(async () => (await pendingJobs(userId)) === 0, "this user's jobs to finish");
    expect((await userReads(userId)) - readsBefore).toBe(1);
  });

  it('leaves the worker equal to Procore after out-of-order and duplicated deliveries', async () => {
    await s.sandbox.control('/_sandbox/settings', {
      method: 'PATCH',
      body: { webhooks: { outOfOrder: true, reorderWindowMs: 600, duplicateShare: 0.5 } },
    });
    try {
      const userId = await newProcoreUser('Olga');
      await eventually(() => worker(userId), 'the created worker');
      for (const name of ['Olive', 'Opal', 'Orla', 'Oona', 'Odette'])
        await edit(userId, { first_name: name });
      await edit(userId, { last_name: 'Final' });
      await eventually(async () => {
        const { items } = await s.sandbox.control<{ items: Array<{ status: string }> }>(
          `/_sandbox/deliveries?company_id=${ACME}&resource_id=${userId}`,
        );
        return items.length >= 7 && items.every((d) => d.status === 'delivered');
      }, 'the sandbox to deliver every event');
      await settled(userId);
      await eventually(
        async () => {
          const w = await worker(userId);
          return w?.first_name === 'Odette' && w.last_name === 'Final';
        },
        'the worker to equal Procore',
        5_000,
      );
    } finally {
      await s.sandbox.control('/_sandbox/settings', {
        method: 'PATCH',
        body: { webhooks: { outOfOrder: false, duplicateShare: 0 } },
      });
    }
  });

  it('deactivates the worker of a user deactivated or removed in Procore', async () => {
    const gone = await newProcoreUser('Gus');
    const inactive = await newProcoreUser('Ivy');
    await eventually(async () => (await worker(gone)) && (await worker(inactive)), 'the workers');
    await s.sandbox.control(`/_sandbox/companies/${ACME}/users/${gone}`, { method: 'DELETE' });
    await s.sandbox.control(`/_sandbox/companies/${ACME}/users/${inactive}/deactivate`, { body: {} });
    expect(
      await eventually(async () => {
        const w = await worker(gone);
        return w?.active === false && w;
      }, 'the removed user’s worker to be deactivated'),
    ).toMatchObject({ deactivated_reason: 'No longer in the Acme Builders directory in Procore' });
    expect(
      await eventually(async () => {
        const w = await worker(inactive);
        return w?.active === false && w;
      }, 'the inactive user’s worker to be deactivated'),
    ).toMatchObject({ deactivated_reason: 'Inactive in Procore' });
  });

  it('answers a wrong secret or an unknown company with 401 and stores nothing', async () => {
    const count = async () =>
      Number(
        (
          await db()
            .db.selectFrom('webhook_deliveries')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const wrong = await post(userEvent(ACME, 8150001), 'Bearer not-the-secret');
    expect(wrong.status).toBe(401);
    const none = await post(userEvent(ACME, 8150001), '');
    expect(none.status).toBe(401);
    const unknown = await post(userEvent('4289999', 8150001), hookSecret(s.sandbox, ACME));
    expect(unknown.status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('logs webhook changes in User Sync Logs, one run per company per hour, with a .txt', async () => {
    const auth = { authorization: `Bearer ${s.token}` };
    s.clock.offsetMs = 2 * 60 * 60_000; // a fresh hour, so this test's run holds only its changes
    try {
      const a = await newProcoreUser('Hana');
      const b = await newProcoreUser('Hugo');
      await eventually(async () => (await worker(a)) && (await worker(b)), 'the workers');
      await edit(a, { last_name: 'Logged' });
      await eventually(async () => (await worker(a))?.last_name === 'Logged', 'the edit');
      const list = await s.app.inject({ url: `/api/companies/${ACME}/syncs`, headers: auth });
      expect(list.statusCode).toBe(200);
      const runs = (list.json() as { runs: Array<{ id: string; trigger: string; status: string }> }).runs;
      const hourly = runs.filter((r) => r.trigger === 'webhook');
      expect(hourly.length).toBeGreaterThanOrEqual(2); // the earlier tests' hour and this one
      const run = hourly[0]!;
      expect(run.status).toBe('succeeded');
      const rows = await db()
        .db.selectFrom('sync_runs')
        .select(['bucket_start', 'started_at', 'finished_at', 'seen', 'created', 'updated'])
        .where('id', '=', run.id)
        .executeTakeFirstOrThrow();
      // Two people, each once: Hana was created and then edited within the hour, so she is one
      // created worker with her latest name, not a creation and an update.
      expect(rows).toMatchObject({ seen: 2, created: 2, updated: 0 });
      expect(rows.bucket_start?.getUTCMinutes()).toBe(0);
      expect(rows.finished_at!.getTime()).toBeGreaterThanOrEqual(rows.started_at!.getTime());
      const txt = await s.app.inject({
        url: `/api/companies/${ACME}/syncs/${run.id}/log.txt`,
        headers: auth,
      });
      expect(txt.statusCode).toBe(200);
      expect(txt.headers['content-disposition']).toMatch(/attachment; filename=".*\.txt"/);
      expect(txt.body).toMatch(/Trigger: +Procore change \(webhook\)/);
      expect(txt.body).toMatch(/Created \(2\)/);
      expect(txt.body).toMatch(/Hana Logged .*Procore user/);
      expect(txt.body).toMatch(/Hugo Hooked .*Procore user/);
      expect(txt.body).not.toMatch(/Hana Hooked/);
    } finally {
      s.clock.offsetMs = 0;
    }
  });
});
