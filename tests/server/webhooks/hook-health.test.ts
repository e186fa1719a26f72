import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../helpers/db';
import { ACME } from '../../helpers/sandbox';
import { eventually, startWebhookStack, type WebhookStack } from './harness';

/** Staying healthy: the hourly check puts back a hook or trigger lost in Procore. */
describeEachDatabase('webhook hook health', ({ db }) => {
  let s: WebhookStack;
  const checkCompanyHook = (companyId: string) => s.services.hooks.check(companyId);
  beforeAll(async () => {
    s = await startWebhookStack(db());
  }, 30_000);
  afterAll(async () => {
    await s?.close();
  });

  const company = () => s.sandbox.handle.state.companies.get(Number(ACME))!;
  const ourHooks = () => [...company().hooks.values()].filter((h) => h.namespace === 'procore-worker-sync');
  const triggersOf = (hookId: string) => [...company().triggers.values()].filter((t) => t.hookId === hookId);
  const worker = (first: string) =>
    db()
      .db.selectFrom('workers')
      .select('id')
      .where('company_id', '=', ACME)
      .where('first_name', '=', first)
      .executeTakeFirst();

  it('leaves a healthy hook alone', async () => {
    expect(await checkCompanyHook(ACME)).toBe('healthy');
  });

  it('re-enables a disabled hook and recreates missing triggers', async () => {
    const [hook] = ourHooks();
    hook!.status = 'disabled';
    const [first] = triggersOf(hook!.id);
    company().triggers.delete(first!.id);
    expect(await checkCompanyHook(ACME)).toBe('repaired');
    expect(hook!.status).toBe('active');
    expect(
      triggersOf(hook!.id)
        .map((t) => t.event_type)
        .sort(),
    ).toEqual(['create', 'delete', 'update']);
    expect(await checkCompanyHook(ACME)).toBe('healthy');
  });

  it('registers a deleted hook again, with a new secret deliveries then use', async () => {
    const before = await db()
      .db.selectFrom('companies')
      .select(['webhook_hook_id', 'webhook_secret_hash'])
      .where('id', '=', ACME)
      .executeTakeFirstOrThrow();
    for (const h of ourHooks()) company().hooks.delete(h.id);
    expect(await checkCompanyHook(ACME)).toBe('registered');
    const after = await db()
      .db.selectFrom('companies')
      .select(['webhook_hook_id', 'webhook_secret_hash'])
      .where('id', '=', ACME)
      .executeTakeFirstOrThrow();
    expect(after.webhook_hook_id).not.toBe(before.webhook_hook_id);
    expect(after.webhook_secret_hash).not.toBe(before.webhook_secret_hash);
    expect(ourHooks()).toHaveLength(1);
    // The new hook delivers, with the new secret, to the receiver.
    await s.sandbox.control(`/_sandbox/companies/${ACME}/users`, {
      body: {
        first_name: 'Rehooked',
        last_name: 'Person',
        email_address: 'rehooked@example.com',
        mobile_phone: '(415) 555-7999',
        is_employee: true,
      },
    });
    await eventually(() => worker('Rehooked'), 'a delivery through the new hook');
  });
});
