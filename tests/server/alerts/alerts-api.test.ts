import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../../server/alerts/mailer';
import { issueSession, sessionKey } from '../../../server/auth/session';
import { ConfigError } from '../../../server/config';
import type { RunKind, SyncStatus, SyncTrigger } from '../../../server/db/database';
import type { Services } from '../../../server/services';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET, testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';

interface AlertBody {
  code: string;
  severity: 'error' | 'warning';
  title: string;
  detail: string;
  at: string | null;
  action: { kind: string; label: string; runId?: string };
}

/**
 * The alerts endpoint's conditions, each set up in the records its owner keeps (runs, webhook
 * deliveries, the company's hook), read through the real app and `/api` scope; and the e-mails'
 * bookkeeping with the sandbox's outbox (no SMTP_URL in sandbox mode).
 */
describeEachDatabase('alerts API', ({ db }) => {
  let app: FastifyInstance & { services: Services };
  let a: { id: string; name: string };
  let b: { id: string; name: string };
  const tokens = new Map<string, string>();
  let minutes = 0;
  /** Distinct, increasing times: the order the records were made in. */
  const tick = () => new Date(Date.now() - 60 * 60_000 + ++minutes * 1000);

  const get = async (companyId: string, role: 'admin' | 'viewer' = 'admin') => {
    const res = await app.inject({
      url: `/api/companies/${companyId}/alerts`,
      headers: { authorization: `Bearer ${tokens.get(`${companyId}:${role}`)}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { alerts: AlertBody[] }).alerts;
  };
  const codes = async (companyId: string) => (await get(companyId)).map((x) => x.code);

  const run = async (
    companyId: string,
    r: { kind?: RunKind; trigger: SyncTrigger; status: SyncStatus; reason?: string },
  ) => {
    const at = tick();
    const row = await db()
      .db.insertInto('sync_runs')
      .values({
        company_id: companyId,
        kind: r.kind ?? 'users',
        trigger: r.trigger,
        mode: 'full',
        status: r.status,
        status_reason: r.reason ?? null,
        queued_at: at,
        started_at: at,
        finished_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  let deliverySeq = 0;
  const delivery = async (companyId: string, outcome: 'applied' | 'failed', processedAt = tick()) => {
    deliverySeq += 1;
    await db()
      .db.insertInto('webhook_deliveries')
      .values({
        company_id: companyId,
        delivery_key: `01JDTESTDELIVERY${String(deliverySeq).padStart(10, '0')}`,
        payload_version: 'v4.0',
        resource_name: 'Company Users',
        event_type: 'update',
        resource_id: '8150001',
        payload: '{}',
        outcome,
        outcome_reason: outcome === 'failed' ? 'Procore is unavailable (503).' : null,
        received_at: processedAt,
        processed_at: processedAt,
      })
      .execute();
  };
  const setHook = (companyId: string, hookId: string | null) =>
    db().db.updateTable('companies').set({ webhook_hook_id: hookId }).where('id', '=', companyId).execute();

  beforeAll(async () => {
    a = await newCompany(db().db, { name: 'Acme Builders' });
    b = await newCompany(db().db, { name: 'Other Co' });
    for (const c of [a, b]) await setHook(c.id, 'hook-1');
    app = await buildTestApp(db());
    const key = sessionKey(TEST_APP_SECRET);
    for (const c of [a, b]) {
      for (const isAdmin of [true, false]) {
        const session = { companyId: c.id, procoreUserId: '77', userName: 'Ada Admin', isAdmin };
        tokens.set(`${c.id}:${isAdmin ? 'admin' : 'viewer'}`, (await issueSession(key, session)).token);
      }
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a company with nothing wrong has no alerts', async () => {
    expect(await get(a.id)).toEqual([]);
  });

  it('an automatic sync that failed is an alert until a sync (manual or automatic) works', async () => {
    await run(a.id, { trigger: 'auto', status: 'succeeded' });
    const failed = await run(a.id, {
      trigger: 'auto',
      status: 'failed',
      reason: 'Procore is unavailable (503). The next sync will pick up where this one stopped.',
    });
    const [alert] = await get(a.id);
    expect(alert).toMatchObject({
      code: 'auto_sync_failed',
      severity: 'error',
      detail: expect.stringContaining('Procore is unavailable (503).'),
      action: { kind: 'run', runId: failed },
    });
    expect(alert!.at).not.toBeNull();
    // A manual sync that fails too is the admin's own (the logs show it): the alert stays.
    await run(a.id, { trigger: 'manual', status: 'failed' });
    expect(await codes(a.id)).toEqual(['auto_sync_failed']);
    await run(a.id, { trigger: 'manual', status: 'succeeded' });
    expect(await codes(a.id)).toEqual([]);
  });

  it('an hourly timesheet send that failed links to the send', async () => {
    const failed = await run(a.id, { kind: 'timesheets', trigger: 'auto', status: 'failed', reason: 'No.' });
    expect(await get(a.id)).toEqual([
      expect.objectContaining({
        code: 'auto_send_failed',
        action: { kind: 'timesheet_run', label: 'See the failed send', runId: failed },
      }),
    ]);
    await run(a.id, { kind: 'timesheets', trigger: 'auto', status: 'partial' });
    expect(await codes(a.id)).toEqual([]);
  });

  it('webhook changes that failed are an alert until a change is applied or a sync works after them', async () => {
    // A failure older than a day is history, not a problem.
    await delivery(a.id, 'failed', new Date(Date.now() - 25 * 60 * 60_000));
    expect(await codes(a.id)).toEqual([]);

    await delivery(a.id, 'failed');
    await delivery(a.id, 'failed');
    const [alert] = await get(a.id);
    expect(alert).toMatchObject({
      code: 'webhooks_failing',
      title: 'Changes from Procore are not being applied.',
      detail: expect.stringContaining('2 changes Procore sent in the last 24 hours could not be applied'),
      action: { kind: 'sync', label: 'Sync now' },
    });
    expect(alert!.detail).toMatch(/catches up\. Last failure: Procore is unavailable \(503\)\.$/);
    await delivery(a.id, 'applied');
    expect(await codes(a.id)).toEqual([]);

    await delivery(a.id, 'failed');
    expect(await codes(a.id)).toEqual(['webhooks_failing']);
    await run(a.id, { trigger: 'manual', status: 'succeeded' });
    expect(await codes(a.id)).toEqual([]);
  });

  it('a missing webhook hook sends the admin to the Connection page', async () => {
    await setHook(a.id, null);
    expect(await get(a.id)).toEqual([
      expect.objectContaining({
        code: 'webhook_missing',
        severity: 'warning',
        action: { kind: 'connection', label: 'Open Connection' },
      }),
    ]);
    await setHook(a.id, 'hook-2');
    expect(await codes(a.id)).toEqual([]);
  });

  it('a sync waiting for review is an alert, for viewers too, until an admin decides', async () => {
    const review = await run(a.id, {
      trigger: 'manual',
      status: 'needs_review',
      reason:
        'Would deactivate 12 of 40 synced workers (30%). Nobody was deactivated: an admin must confirm or cancel.',
    });
    const expected = expect.objectContaining({
      code: 'review_waiting',
      severity: 'warning',
      detail: expect.stringContaining('Would deactivate 12 of 40'),
      action: { kind: 'run', label: 'Review it', runId: review },
    });
    expect(await get(a.id)).toEqual([expected]);
    expect(await get(a.id, 'viewer')).toEqual([expected]);
    // Another company sees nothing of it.
    expect(await get(b.id)).toEqual([]);

    const cancel = await app.inject({
      method: 'POST',
      url: `/api/companies/${a.id}/syncs/${review}/cancel`,
      headers: { authorization: `Bearer ${tokens.get(`${a.id}:admin`)}` },
      payload: {},
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(await codes(a.id)).toEqual([]);
  });

  it('lists several problems at once, errors first', async () => {
    await setHook(b.id, null);
    await run(b.id, { trigger: 'manual', status: 'needs_review' });
    await run(b.id, { trigger: 'auto', status: 'failed' });
    expect(await codes(b.id)).toEqual(['auto_sync_failed', 'webhook_missing', 'review_waiting']);
  });

  it('e-mails the admins once when a problem starts and once when it clears (sandbox: the outbox)', async () => {
    const c = await newCompany(db().db, { name: 'Mail Builders' });
    await setHook(c.id, 'hook-1');
    const alerts = app.services.alerts;
    await alerts.noteSignIn({
      companyId: c.id,
      procoreUserId: '1',
      name: 'Ann Admin',
      email: 'ann@mail.example',
      isAdmin: true,
    });
    await alerts.noteSignIn({
      companyId: c.id,
      procoreUserId: '2',
      name: 'Vic Viewer',
      email: 'vic@mail.example',
      isAdmin: false,
    });
    await alerts.noteSignIn({
      companyId: c.id,
      procoreUserId: '3',
      name: 'No Mail',
      email: 'not-an-email',
      isAdmin: true,
    });
    expect((await alerts.recipients(c.id)).map((r) => r.email)).toEqual(['ann@mail.example']);
    const mine = () => alerts.outbox().filter((m) => m.subject.includes('Mail Builders'));

    await run(c.id, { trigger: 'auto', status: 'failed', reason: 'Procore refused access.' });
    expect(await alerts.evaluate(c.id)).toMatchObject({
      opened: ['auto_sync_failed'],
      resolved: [],
      sent: 1,
    });
    expect(await alerts.evaluate(c.id)).toMatchObject({ opened: [], resolved: [], sent: 0 });
    expect(mine()).toEqual([
      expect.objectContaining({
        to: ['ann@mail.example'],
        subject: 'Worker Sync · Mail Builders: The last Autosync failed',
        text: expect.stringContaining('Procore refused access.'),
      }),
    ]);

    // Ann loses her admin rights and signs in again: she is told no more.
    await alerts.noteSignIn({
      companyId: c.id,
      procoreUserId: '1',
      name: 'Ann Admin',
      email: 'ann@mail.example',
      isAdmin: false,
    });
    await alerts.noteSignIn({
      companyId: c.id,
      procoreUserId: '4',
      name: 'Bo Boss',
      email: 'bo@mail.example',
      isAdmin: true,
    });
    await run(c.id, { trigger: 'auto', status: 'succeeded' });
    expect(await alerts.evaluate(c.id)).toMatchObject({
      opened: [],
      resolved: ['auto_sync_failed'],
      sent: 1,
    });
    expect(mine()[0]).toMatchObject({
      to: ['bo@mail.example'],
      subject: 'Resolved · Worker Sync · Mail Builders: The last Autosync failed',
    });
    expect(await alerts.evaluate(c.id)).toMatchObject({ sent: 0 });

    // Disconnected: that is the one problem shown, and e-mailed; the others are not "resolved".
    await run(c.id, { trigger: 'auto', status: 'failed', reason: 'Procore refused access.' });
    expect(await alerts.evaluate(c.id)).toMatchObject({ opened: ['auto_sync_failed'], sent: 1 });
    await app.services.companies.markDisconnected(c.id, 'Disconnected by Bo Boss.');
    expect(await alerts.evaluate(c.id)).toMatchObject({
      alerts: [expect.objectContaining({ code: 'disconnected' })],
      opened: ['disconnected'],
      resolved: [],
      sent: 1,
    });
    expect(mine()[0]).toMatchObject({
      subject: 'Worker Sync · Mail Builders: Worker Sync is disconnected from Mail Builders',
      text: expect.stringContaining('Disconnected by Bo Boss.'),
    });
    // Connected again, and a sync works: both clear, each with its e-mail.
    await db()
      .db.updateTable('companies')
      .set({ connection_state: 'connected', webhook_hook_id: 'hook-3' })
      .where('id', '=', c.id)
      .execute();
    await run(c.id, { trigger: 'manual', status: 'succeeded' });
    expect(await alerts.evaluate(c.id)).toMatchObject({
      resolved: expect.arrayContaining(['disconnected', 'auto_sync_failed']),
      sent: 2,
    });
    expect(mine()).toHaveLength(6);

    // The sandbox's outbox page lists them; it needs no session (sandbox mode only).
    const page = await app.inject('/sandbox/outbox');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Resolved · Worker Sync · Mail Builders: The last Autosync failed');
    const json = (await app.inject('/sandbox/outbox.json')).json() as {
      messages: Array<{ subject: string }>;
    };
    expect(json.messages.filter((m) => m.subject.includes('Mail Builders'))).toHaveLength(6);
  });
});

describe('alert e-mail configuration', () => {
  const production = {
    PROCORE_CLIENT_ID: 'id',
    PROCORE_CLIENT_SECRET: 'secret',
    APP_SECRET: TEST_APP_SECRET,
  };

  it('sends through SMTP_URL; keeps an outbox in sandbox mode; sends nothing in production without it', () => {
    expect(createMailer(testConfig({ ...production, SMTP_URL: 'smtp://mail.example:587' })).mode).toBe(
      'smtp',
    );
    expect(createMailer(testConfig(production)).mode).toBe('off');
    expect(createMailer(testConfig()).mode).toBe('outbox');
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://', () => {
    expect(() => testConfig({ SMTP_URL: 'http://mail.example' })).toThrow(ConfigError);
    expect(testConfig({ SMTP_URL: 'smtps://u:p@mail.example:465' }).mail.smtpUrl).toBe(
      'smtps://u:p@mail.example:465',
    );
    expect(testConfig({ PUBLIC_URL: 'https://sync.example.com' }).mail.from).toBe(
      'Worker Sync <worker-sync@sync.example.com>',
    );
  });

  it('keeps no outbox outside sandbox mode', async () => {
    const mailer = createMailer(testConfig(production));
    await mailer.send({ to: ['ann@mail.example'], subject: 'Hello', text: 'Hi' });
    expect(mailer.outbox()).toEqual([]);
  });
});
