import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Services } from '../../../server/services';
import { autosyncTick } from '../../../server/sync/autosync.job';
import { buildTestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { freePort } from '../../helpers/process';
import { ACME, connectAs, startTestSandbox } from '../../helpers/sandbox';
import { startSmtpServer } from './smtp';

type Sandbox = Awaited<ReturnType<typeof startTestSandbox>>;
type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

const DANA = 'dana.whitfield@acmebuilders.example';

async function waitFor<T>(check: () => Promise<T | undefined | false>, what: string, ms = 60_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Alert e-mails for real: the app listening with its jobs, connected to the Procore sandbox as
 * Dana Whitfield (a company admin, so the e-mails go to her), sending through SMTP (`SMTP_URL`)
 * to an SMTP server in this process. A failed Autosync raises the banner and exactly one e-mail;
 * the next sync that works clears it with one "resolved" e-mail.
 */
describeEachDatabase('alert e-mails', ({ db }) => {
  let sandbox: Sandbox;
  let smtp: Smtp;
  let app: FastifyInstance & { services: Services };
  let token: string;
  let minute: number;

  const api = (url: string, init: { method?: 'GET' | 'PATCH' | 'POST'; payload?: object } = {}) =>
    app.inject({
      method: init.method ?? 'GET',
      url: `/api/companies/${ACME}${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(init.payload ? { payload: init.payload } : {}),
    });
  const alerts = async () => (await api('/alerts')).json() as { alerts: Array<{ code: string }> };
  const runs = () =>
    db()
      .db.selectFrom('sync_runs')
      .select(['id', 'status', 'trigger'])
      .where('company_id', '=', ACME)
      .where('trigger', '=', 'auto')
      .orderBy('id')
      .execute();
  /** The hourly tick at the company's minute of the given hour: queues one automatic run. */
  const autosyncAt = async (hour: string) => {
    const before = (await runs()).length;
    const now = new Date(`${hour}:${String(minute).padStart(2, '0')}:00Z`);
    const queued = await autosyncTick({ ...app.services, now: () => now });
    expect(queued).toHaveLength(1);
    return waitFor(async () => {
      const all = await runs();
      const last = all.at(-1);
      return all.length > before && last && !['queued', 'running'].includes(last.status) && last;
    }, 'the automatic run to end');
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    sandbox = await startTestSandbox();
    const port = await freePort();
    const config = testConfig({
      PROCORE_LOGIN_URL: sandbox.url,
      PROCORE_API_URL: sandbox.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Worker Sync <alerts@worker-sync.example>',
    });
    app = await buildTestApp(db(), { config, jobs: true });
    await app.listen({ port, host: '127.0.0.1' });
    const signedIn = await connectAs(app, sandbox, { search: 'dana' });
    if (!signedIn.token) throw new Error(`connect failed: ${signedIn.popupLocation}`);
    token = signedIn.token;
    const settings = await api('/settings', { method: 'PATCH', payload: { autosync: true } });
    expect(settings.statusCode).toBe(200);
    minute = (settings.json() as { autosyncMinute: number }).autosyncMinute;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await smtp?.close();
  });

  it('keeps the e-mail of the admin who connected as who alert e-mails go to', async () => {
    const recipients = await app.services.alerts.recipients(ACME);
    expect(recipients.map((r) => [r.name, r.email])).toEqual([['Dana Whitfield', DANA]]);
    expect(await alerts()).toEqual({ alerts: [] });
  });

  it('a failed Autosync shows the banner and sends exactly one e-mail', async () => {
    // Procore's users endpoint fails every time: the run ends failed after the client's retries.
    await sandbox.control('/_sandbox/faults', {
      body: { kind: 'error', status: 500, retry_after: null, path: '/rest/**/users' },
    });
    const failed = await autosyncAt('2026-12-01T10');
    expect(failed.status).toBe('failed');

    const banner = (await api('/alerts')).json() as {
      alerts: Array<{ code: string; severity: string; title: string; detail: string; action: unknown }>;
    };
    expect(banner.alerts).toEqual([
      expect.objectContaining({
        code: 'auto_sync_failed',
        severity: 'error',
        title: 'The last Autosync failed.',
        action: { kind: 'run', label: 'See the failed sync', runId: failed.id },
      }),
    ]);

    const [mail] = await waitFor(async () => smtp.received.length > 0 && smtp.received, 'the alert e-mail');
    expect(mail!.rcptTo).toEqual([DANA]);
    expect(mail!.mail.from?.value).toEqual([{ name: 'Worker Sync', address: 'alerts@worker-sync.example' }]);
    expect(mail!.mail.subject).toBe('Worker Sync · Acme Builders: The last Autosync failed');
    expect(mail!.mail.text).toContain('The last Autosync failed.');
    expect(mail!.mail.text).toContain('Autosync tries again next hour');

    // Still failing an hour later, and evaluated again: no second e-mail while it persists.
    expect((await autosyncAt('2026-12-01T11')).status).toBe('failed');
    await app.services.alerts.evaluate(ACME);
    await app.services.alerts.evaluate(ACME);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.received).toHaveLength(1);
    expect((await alerts()).alerts.map((a) => a.code)).toEqual(['auto_sync_failed']);
  }, 120_000);

  it('the next sync that works clears the banner with one "resolved" e-mail', async () => {
    await sandbox.control('/_sandbox/faults', { method: 'DELETE' });
    const worked = await autosyncAt('2026-12-01T12');
    expect(worked.status).toBe('succeeded');
    expect(await alerts()).toEqual({ alerts: [] });

    await waitFor(async () => smtp.received.length > 1, 'the "resolved" e-mail');
    const resolved = smtp.received[1]!;
    expect(resolved.rcptTo).toEqual([DANA]);
    expect(resolved.mail.subject).toBe('Resolved · Worker Sync · Acme Builders: The last Autosync failed');
    expect(resolved.mail.text).toContain('A later sync worked.');
    await app.services.alerts.evaluate(ACME);
    expect(smtp.received).toHaveLength(2);
  }, 120_000);

  it('a hook Procore lost and the app could not put back is an alert until an admin sets it up again', async () => {
    const company = sandbox.handle.state.companies.get(Number(ACME))!;
    for (const hook of [...company.hooks.values()]) company.hooks.delete(hook.id);
    await sandbox.control('/_sandbox/faults', {
      body: { kind: 'error', method: 'POST', status: 500, retry_after: null, path: '/rest/v2.0/**' },
    });
    await expect(app.services.hooks.check(ACME)).rejects.toThrow();
    expect(await alerts()).toEqual({
      alerts: [
        expect.objectContaining({
          code: 'webhook_missing',
          action: { kind: 'connection', label: 'Open Connection' },
        }),
      ],
    });
    expect(((await api('/connection')).json() as { webhookRegistered: boolean }).webhookRegistered).toBe(
      false,
    );

    await sandbox.control('/_sandbox/faults', { method: 'DELETE' });
    const repaired = await api('/connection/webhook', { method: 'POST', payload: {} });
    expect(repaired.statusCode, repaired.body).toBe(200);
    expect(repaired.json()).toMatchObject({ webhookRegistered: true, lastSyncAt: expect.any(String) });
    expect(await alerts()).toEqual({ alerts: [] });
  }, 60_000);

  it('an uninstall found by a sync is a "disconnected" alert at once, e-mailed once', async () => {
    await sandbox.control(`/_sandbox/companies/${ACME}/uninstall`, { method: 'POST' });
    const failed = await autosyncAt('2026-12-01T13');
    expect(failed.status).toBe('failed');

    // The server knows at once: the banner's alert, and the frame's next request is refused
    // with the same news (it then shows Connect with that sentence).
    const [alert] = await app.services.alerts.current(ACME);
    expect(alert).toMatchObject({
      code: 'disconnected',
      title: 'Worker Sync was uninstalled from Acme Builders in Procore.',
      action: { kind: 'reconnect' },
    });
    const refused = await api('/alerts');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({
      error: { code: 'session_ended', message: expect.stringMatching(/uninstalled from Acme Builders/) },
    });

    await waitFor(async () => smtp.received.length > 2, 'the "uninstalled" e-mail');
    expect(smtp.received[2]!.mail.subject).toBe(
      'Worker Sync · Acme Builders: Worker Sync was uninstalled from Acme Builders in Procore',
    );
    // The failed run is not announced on its own: while disconnected, that is the one problem.
    await app.services.alerts.evaluate(ACME);
    expect(smtp.received).toHaveLength(3);
  }, 120_000);
});
