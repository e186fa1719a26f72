import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../helpers/db';
import { ACME } from '../../helpers/sandbox';
import { eventually, hookSecret, newUlid, startWebhookStack, type WebhookStack } from './harness';

/**
 * The mass-deactivation safeguard against webhooks, end to end: the sandbox really POSTs each
 * deactivation made in Procore, the jobs apply them, and an admin decides through the API.
 * 24% of the synced roster deactivated in Procore is held in one review with nobody deactivated;
 * Cancel holds against every retry and sync; a fresh hold confirmed deactivates all of them.
 */
describeEachDatabase('the deactivation safeguard holds webhooks to the threshold', ({ db }) => {
  let s: WebhookStack;
  // 60-odd reads in a few seconds: Procore's limits are not what this is about.
  beforeAll(async () => {
    s = await startWebhookStack(db(), {
      sandboxSettings: { rateLimit: { hourly: 1_000_000, spike: 100_000 } },
    });
    const sync = await api('POST', `/api/companies/${ACME}/syncs`);
    expect(sync.statusCode).toBe(202);
    await finished(sync.json().run.id);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  const api = (method: 'GET' | 'POST', url: string) =>
    s.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${s.token}` },
      ...(method === 'POST' ? { payload: {} } : {}),
    });
  const finished = (runId: string) =>
    eventually(
      async () => {
        const run = (await api('GET', `/api/companies/${ACME}/syncs/${runId}`)).json().run;
        return run.status !== 'queued' && run.status !== 'running' && run;
      },
      `run ${runId} to finish`,
      90_000,
    );
  const workers = (userIds: readonly string[]) =>
    db()
      .db.selectFrom('workers')
      .select(['procore_user_id', 'first_name', 'active', 'deactivated_reason'])
      .where('company_id', '=', ACME)
      .where('procore_user_id', 'in', [...userIds])
      .execute();
  const activeCount = async (userIds: readonly string[]) =>
    (await workers(userIds)).filter((w) => w.active).length;
  const syncedActive = async () =>
    Number(
      (
        await db()
          .db.selectFrom('workers')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('company_id', '=', ACME)
          .where('source', '=', 'procore_user')
          .where('active', '=', true)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const webhookReviews = () =>
    db()
      .db.selectFrom('sync_runs')
      .select(['id', 'status', 'status_reason', 'would_deactivate', 'deactivated'])
      .where('company_id', '=', ACME)
      .where('trigger', '=', 'webhook')
      .where('bucket_start', 'is', null)
      .orderBy('id')
      .execute();
  const deliveries = (userIds: readonly string[]) =>
    db()
      .db.selectFrom('webhook_deliveries')
      .select(['id', 'outcome', 'payload'])
      .where('company_id', '=', ACME)
      .where('resource_id', 'in', [...userIds])
      .orderBy('id')
      .execute();
  /** Waits until `count` deliveries for these users have arrived and none is waiting. */
  const settled = (userIds: readonly string[], count: number) =>
    eventually(
      async () => {
        const rows = await deliveries(userIds);
        return rows.length >= count && rows.every((r) => r.outcome !== 'queued') && rows;
      },
      `${count} deliveries to be applied`,
      90_000,
    );
  const control = (path: string, body: unknown = {}, method = 'POST') =>
    s.sandbox.control(`/_sandbox/companies/${ACME}/users${path}`, { method, body });
  /** Active synced workers' Procore users, never Dana (who signed in). */
  const pickUsers = async (n: number, not: readonly string[] = []) => {
    const rows = await db()
      .db.selectFrom('workers')
      .select('procore_user_id')
      .where('company_id', '=', ACME)
      .where('source', '=', 'procore_user')
      .where('active', '=', true)
      .where('procore_user_id', '<>', '8150001')
      .orderBy('procore_user_id', 'desc')
      .execute();
    return rows
      .map((r) => r.procore_user_id!)
      .filter((id) => !not.includes(id))
      .slice(0, n);
  };

  it('applies webhook deactivations below the threshold at once', async () => {
    const few = await pickUsers(3);
    for (const id of few) await control(`/${id}/deactivate`);
    await settled(few, 3);
    expect(await workers(few)).toEqual(
      expect.arrayContaining(few.map(() => expect.objectContaining({ active: false }))),
    );
    expect(await activeCount(few)).toBe(0);
    expect(await webhookReviews()).toEqual([]);
  });

  it('holds 24% deactivated in Procore for review, then honours Cancel against retries and syncs, and a fresh hold confirmed deactivates them all', async () => {
    // A fresh rolling window: the three deactivated above are an hour and more ago.
    s.clock.offsetMs = 2 * 60 * 60_000;
    const synced = await syncedActive();
    const n = Math.round(0.24 * synced);
    const leaving = await pickUsers(n);
    expect(leaving).toHaveLength(n);

    // 1. The burst: every deactivation arrives by webhook within seconds.
    for (const id of leaving) await control(`/${id}/deactivate`);
    await settled(leaving, n);
    expect(await activeCount(leaving)).toBe(n); // nobody deactivated
    const [review] = await webhookReviews();
    expect(await webhookReviews()).toHaveLength(1);
    expect(review).toMatchObject({ status: 'needs_review', would_deactivate: n, deactivated: 0 });
    expect(review!.status_reason).toMatch(
      new RegExp(`^Procore's webhooks would deactivate ${n} of ${synced} synced workers \\(24%\\)`),
    );
    expect(review!.status_reason).toMatch(/within 60 minutes\. Nobody was deactivated/);
    // The Users page's list shows it as a webhook run waiting for review.
    const listed = (await api('GET', `/api/companies/${ACME}/syncs`)).json().runs;
    expect(listed.find((r: { id: string }) => r.id === review!.id)).toMatchObject({
      trigger: 'webhook',
      status: 'needs_review',
      counts: { wouldDeactivate: n },
    });
    // The window's deactivations that went through before the one that passed the threshold
    // were undone into the review: the hour's webhook log says so, one entry a person with their
    // latest result (deactivated, then reactivated to be held).
    const logged = await db()
      .db.selectFrom('sync_run_entries as e')
      .innerJoin('sync_runs as r', 'r.id', 'e.run_id')
      .select(['e.action', 'e.reason_code', 'e.procore_user_id'])
      .where('e.company_id', '=', ACME)
      .where('r.bucket_start', 'is not', null)
      .where('e.procore_user_id', 'in', leaving)
      .where('e.superseded', '=', false)
      .execute();
    const undone = logged.filter((e) => e.action === 'reactivated');
    expect(undone.length).toBeGreaterThan(0);
    expect(undone).toEqual(logged);
    expect(new Set(logged.map((e) => e.procore_user_id)).size).toBe(logged.length);
    expect(undone.every((e) => e.reason_code === 'held_for_review')).toBe(true);
    const held = (
      await api('GET', `/api/companies/${ACME}/syncs/${review!.id}/entries?action=would_deactivate&limit=200`)
    ).json().entries;
    expect(held.map((e: { procoreUserId: string }) => e.procoreUserId).sort()).toEqual([...leaving].sort());

    // 2. During the hold: an edit that deactivates nobody applies at once; one more deactivation
    //    joins the same review.
    const [editee] = await pickUsers(1, leaving);
    await control(`/${editee}`, { first_name: 'Renamed' }, 'PATCH');
    await eventually(
      async () => (await workers([editee!]))[0]?.first_name === 'Renamed',
      'the edit to apply during the hold',
    );
    const [late] = await pickUsers(1, [...leaving, editee!]);
    await control(`/${late}/deactivate`);
    await settled([late!], 1);
    leaving.push(late!);
    expect(await webhookReviews()).toMatchObject([
      { id: review!.id, status: 'needs_review', would_deactivate: n + 1 },
    ]);
    expect(await activeCount(leaving)).toBe(n + 1);

    // 3. Cancel.
    const cancelled = await api('POST', `/api/companies/${ACME}/syncs/${review!.id}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().run).toMatchObject({ status: 'canceled', reviewedBy: 'Dana Whitfield' });

    // 4. Procore's retries: the same deliveries again (duplicates), then the same events under new
    //    ids, as a retry the app never recorded arrives.
    const sent = await deliveries(leaving);
    const post = (body: unknown) =>
      fetch(`${s.url}/webhooks/procore`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: hookSecret(s.sandbox, ACME) },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    const again = await Promise.all(sent.map((d) => post(d.payload)));
    expect(again.every((status) => status === 200)).toBe(true);
    const retried = await Promise.all(
      sent.map((d) => post({ ...(d.payload as Record<string, unknown>), id: newUlid() })),
    );
    expect(retried.every((status) => status === 202)).toBe(true);
    await settled(leaving, 2 * sent.length);
    expect(await activeCount(leaving)).toBe(n + 1); // still nobody deactivated

    // 5. A full sync leaves them active too, and its log says why.
    const sync = await api('POST', `/api/companies/${ACME}/syncs`);
    const done = await finished(sync.json().run.id);
    expect(done.status).toBe('succeeded');
    expect(await activeCount(leaving)).toBe(n + 1);
    const kept = (
      await api('GET', `/api/companies/${ACME}/syncs/${done.id}/entries?action=unchanged&limit=500`)
    )
      .json()
      .entries.filter((e: { procoreUserId: string }) => leaving.includes(e.procoreUserId));
    expect(kept).toHaveLength(n + 1);
    for (const e of kept) {
      expect(e).toMatchObject({ action: 'unchanged', reasonCode: 'deactivation_cancelled' });
      expect(e.reason).toMatch(/Dana Whitfield cancelled this deactivation/);
    }

    // 6. They change in Procore after the cancel: judged afresh, held again in a new review, and
    //    this time an admin confirms.
    await s.sandbox.control('/_sandbox/clock', { body: { advance_seconds: 5 } });
    const before = (await deliveries(leaving)).length;
    for (const id of leaving) await control(`/${id}`, { job_title: 'Left the company' }, 'PATCH');
    await settled(leaving, before + leaving.length);
    expect(await activeCount(leaving)).toBe(n + 1);
    const reviews = await webhookReviews();
    expect(reviews).toHaveLength(2);
    const fresh = reviews[1]!;
    expect(fresh).toMatchObject({ status: 'needs_review', would_deactivate: n + 1 });
    const confirmed = await api('POST', `/api/companies/${ACME}/syncs/${fresh.id}/confirm`);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().run).toMatchObject({ status: 'succeeded', counts: { deactivated: n + 1 } });
    expect(await activeCount(leaving)).toBe(0);
    expect(new Set((await workers(leaving)).map((w) => w.deactivated_reason))).toEqual(
      new Set(['Inactive in Procore']),
    );
  }, 300_000);
});
