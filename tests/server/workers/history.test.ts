import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../helpers/db';
import { ACME } from '../../helpers/sandbox';
import { eventually, startWebhookStack, type WebhookStack } from '../webhooks/harness';

/**
 * A worker's history through the whole path: a change made in the sandbox's Directory by one
 * person reaches the app by webhook, and the worker's history names the change and that person.
 */
describeEachDatabase("a worker's history", ({ db }) => {
  let s: WebhookStack;
  let authorId: number;
  beforeAll(async () => {
    s = await startWebhookStack(db());
    const users = await s.sandbox.control<{
      items: Array<{ id: number; first_name: string; last_name: string }>;
    }>(`/_sandbox/companies/${ACME}/users?search=${encodeURIComponent('Whitfield')}`);
    const dana = users.items.find((u) => u.last_name === 'Whitfield');
    if (!dana) throw new Error('the sandbox has no Dana Whitfield');
    authorId = dana.id;
  }, 30_000);
  afterAll(async () => {
    await s?.close();
  });

  const api = (path: string) =>
    s.app.inject({
      method: 'GET',
      url: `/api/companies/${ACME}${path}`,
      headers: { authorization: `Bearer ${s.token}` },
    });
  const workerOf = (userId: string) =>
    db()
      .db.selectFrom('workers')
      .select(['id', 'first_name', 'active'])
      .where('company_id', '=', ACME)
      .where('procore_user_id', '=', userId)
      .executeTakeFirst();

  let phoneSeq = 0;
  const newProcoreUser = async (first: string) => {
    phoneSeq += 1;
    const user = await s.sandbox.control<{ id: number }>(`/_sandbox/companies/${ACME}/users`, {
      body: {
        first_name: first,
        last_name: 'Historic',
        email_address: `${first.toLowerCase()}.historic@example.com`,
        mobile_phone: `(415) 555-${String(7400 + phoneSeq)}`,
        is_employee: true,
        employee_id: `HI-${phoneSeq}`,
        actor_user_id: authorId,
      },
    });
    return String(user.id);
  };
  const edit = (userId: string, body: Record<string, unknown>) =>
    s.sandbox.control(`/_sandbox/companies/${ACME}/users/${userId}`, {
      method: 'PATCH',
      body: { ...body, actor_user_id: authorId },
    });

  it('lists a Directory edit with the fields changed and who made it in Procore', async () => {
    const userId = await newProcoreUser('Hattie');
    const worker = await eventually(() => workerOf(userId), 'the created worker');
    await edit(userId, { first_name: 'Harriet', employee_id: 'HI-900' });
    await eventually(async () => (await workerOf(userId))?.first_name === 'Harriet', 'the edit');

    const res = await api(`/workers/${worker.id}/history`);
    expect(res.statusCode).toBe(200);
    const { entries, inactive } = res.json();
    expect(inactive).toBeNull();
    // Newest first: the edit, then the creation; both by webhook, both made by Dana.
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['updated', 'created']);
    const [updated] = entries;
    expect(updated).toMatchObject({
      runTrigger: 'webhook',
      procoreUserId: userId,
      changedBy: { procoreUserId: String(authorId), name: 'Dana Whitfield' },
    });
    expect(updated.changes).toEqual(
      expect.arrayContaining([
        { field: 'first_name', from: 'Hattie', to: 'Harriet' },
        { field: 'payroll_id', from: 'HI-1', to: 'HI-900' },
      ]),
    );
    expect(Date.parse(updated.at)).toBeGreaterThan(Date.now() - 60_000);
    // The run it names is the hour's webhook run, which lists the same change.
    const run = await api(`/syncs/${updated.runId}/entries`);
    expect(run.statusCode).toBe(200);
    expect(run.json().entries.map((e: { procoreUserId: string }) => e.procoreUserId)).toContain(userId);
  });

  it('says since when, by which run and why an inactive worker is inactive', async () => {
    const userId = await newProcoreUser('Ivo');
    const worker = await eventually(() => workerOf(userId), 'the created worker');
    await edit(userId, { is_active: false });
    await eventually(async () => (await workerOf(userId))?.active === false, 'the deactivation');

    const { entries, inactive } = (await api(`/workers/${worker.id}/history`)).json();
    const deactivated = entries.find((e: { action: string }) => e.action === 'deactivated');
    expect(deactivated).toBeDefined();
    expect(inactive).toMatchObject({
      since: deactivated.at,
      runId: deactivated.runId,
      reason: expect.stringMatching(/inactive/i),
      changedBy: { name: 'Dana Whitfield' },
    });

    await edit(userId, { is_active: true });
    await eventually(async () => (await workerOf(userId))?.active === true, 'the reactivation');
    const after = (await api(`/workers/${worker.id}/history`)).json();
    expect(after.inactive).toBeNull();
    expect(after.entries.map((e: { action: string }) => e.action)).toEqual([
      'reactivated',
      'deactivated',
      'created',
    ]);
  });

  it('names an author who is no worker after their Procore record', async () => {
    // A subcontractor's person: in the Directory, but never a worker (not an employee).
    const found = await s.sandbox.control<{ items: Array<{ id: number; last_name: string }> }>(
      `/_sandbox/companies/${ACME}/users?search=${encodeURIComponent('Lindqvist')}`,
    );
    const pete = found.items.find((u) => u.last_name === 'Lindqvist');
    if (!pete) throw new Error('the sandbox has no Pete Lindqvist');
    expect(await workerOf(String(pete.id))).toBeUndefined();
    const userId = await newProcoreUser('Quinn');
    const worker = await eventually(() => workerOf(userId), 'the created worker');
    await s.sandbox.control(`/_sandbox/companies/${ACME}/users/${userId}`, {
      method: 'PATCH',
      body: { first_name: 'Quincy', actor_user_id: pete.id },
    });
    await eventually(async () => (await workerOf(userId))?.first_name === 'Quincy', 'the edit');
    const [latest] = (await api(`/workers/${worker.id}/history`)).json().entries;
    expect(latest.changedBy).toEqual({ procoreUserId: String(pete.id), name: 'Pete Lindqvist' });

    // A second change by him is named without asking Procore about him again.
    const readsOfPete = async () =>
      (
        await s.sandbox.control<{ items: Array<{ method: string; path: string }> }>(
          `/_sandbox/requests?method=GET`,
        )
      ).items.filter((r) => r.path.endsWith(`/users/${pete.id}`)).length;
    const before = await readsOfPete();
    expect(before).toBeGreaterThan(0);
    await s.sandbox.control(`/_sandbox/companies/${ACME}/users/${userId}`, {
      method: 'PATCH',
      body: { first_name: 'Quint', actor_user_id: pete.id },
    });
    await eventually(async () => (await workerOf(userId))?.first_name === 'Quint', 'the second edit');
    const [second] = (await api(`/workers/${worker.id}/history`)).json().entries;
    expect(second.changedBy).toEqual({ procoreUserId: String(pete.id), name: 'Pete Lindqvist' });
    expect(await readsOfPete()).toBe(before);
  });

  it("refuses another company's worker and pages long histories", async () => {
    const userId = await newProcoreUser('Paz');
    const worker = await eventually(() => workerOf(userId), 'the created worker');
    for (const name of ['Paza', 'Pazb']) {
      await edit(userId, { first_name: name });
      await eventually(async () => (await workerOf(userId))?.first_name === name, `the edit to ${name}`);
    }
    const first = (await api(`/workers/${worker.id}/history?limit=2`)).json();
    expect(first.entries).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const rest = (await api(`/workers/${worker.id}/history?limit=2&cursor=${first.nextCursor}`)).json();
    expect(rest.entries.map((e: { action: string }) => e.action)).toEqual(['created']);
    expect(rest.nextCursor).toBeNull();
    expect((await api('/workers/999999999/history')).statusCode).toBe(404);
  });
});
