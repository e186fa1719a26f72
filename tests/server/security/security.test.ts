import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import { LOG_REDACT_PATHS, requestForLog } from '../../../server/log';
import { decryptSecret, keyringFromSecret } from '../../../server/security/encryption';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET, testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { freePort } from '../../helpers/process';
import { ACME, connectAs, startTestSandbox } from '../../helpers/sandbox';
import { eventually, hookSecret } from '../webhooks/harness';

/**
 * The security list, in one place. Each promise the app makes, and where it is proved:
 *
 *  1. every /api route refuses no session, a malformed, forged or expired one
 *     (tests/server/auth/api-scope.test.ts), and a tampered one (here);
 *  2. every /api route refuses another company's session and shows none of its data
 *     (tests/server/auth/api-scope.test.ts);
 *  3. the OAuth state and the one-time code cannot be replayed (tests/server/install/connect.test.ts,
 *     "refuses a replayed OAuth state and a reused one-time code"), and a spent one is purged after a
 *     day (tests/server/retention/retention.test.ts);
 *  4. every HTML response carries CSP frame-ancestors and no X-Frame-Options (here);
 *  5. Procore tokens and the webhook secret are unreadable in the database without APP_SECRET,
 *     for the service account and the connecting admin's tokens (here; the cipher itself in
 *     tests/server/security/encryption.test.ts);
 *  6. no token, secret, code or session reaches the log of a whole connect + sync + webhook +
 *     disconnect (here; the request serializer in tests/server/log.test.ts);
 *  7. webhook deliveries without the company's secret are refused, and the refusal says nothing
 *     about which companies exist (tests/server/webhooks/receiver.test.ts);
 *  8. `npm audit --omit=dev`: README, "Security".
 */
describeEachDatabase('security', ({ db }) => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let webDir: string;
  const lines: string[] = [];
  /** Every credential the run saw: Procore's tokens as the app received them, codes, sessions. */
  const credentials = new Set<string>();
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'pws-sec-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(webDir, 'auth-popup.html'), '<!doctype html><title>popup</title>');
    // The app's Procore client reads tokens from Procore's answers: note each, to look for them later.
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      if (String(input instanceof Request ? input.url : input).includes('/oauth/token')) {
        const body = (await res
          .clone()
          .json()
          .catch(() => ({}))) as Record<string, unknown>;
        for (const k of ['access_token', 'refresh_token']) {
          if (typeof body[k] === 'string') credentials.add(body[k] as string);
        }
      }
      return res;
    };
    sandbox = await startTestSandbox();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino(
      {
        level: 'trace',
        redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
        serializers: { req: requestForLog },
      },
      sink,
    );
    app = await buildTestApp(db(), {
      config: testConfig({ PROCORE_LOGIN_URL: sandbox.url, PROCORE_API_URL: sandbox.url, PUBLIC_URL: url }),
      jobs: true,
      log,
      webDir,
    });
    await app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await app?.close();
    await sandbox?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('connect + sync + webhook + disconnect: no credential in the log, none readable in the database', async () => {
    const connected = await connectAs(app, sandbox, { search: 'dana' });
    const session = connected.token!;
    const code = new URLSearchParams(connected.popupLocation.split('#')[1] ?? '').get('code')!;
    const secret = hookSecret(sandbox, ACME);
    for (const c of [session, code, secret]) credentials.add(c);
    const auth = { authorization: `Bearer ${session}` };

    const asked = await app.inject({
      method: 'POST',
      url: `/api/companies/${ACME}/syncs`,
      headers: auth,
      payload: {},
    });
    const runId = asked.json().run.id as string;
    await eventually(
      async () => {
        const run = (await app.inject({ url: `/api/companies/${ACME}/syncs/${runId}`, headers: auth })).json()
          .run;
        return !['queued', 'running'].includes(run.status);
      },
      'the sync to end',
      120_000,
    );
    const { items } = await sandbox.control<{ items: Array<{ id: number }> }>(
      `/_sandbox/companies/${ACME}/users?search=ortega`,
    );
    await sandbox.control(`/_sandbox/companies/${ACME}/users/${items[0]!.id}`, {
      method: 'PATCH',
      body: { last_name: 'Ortega-Webhook' },
    });
    await eventually(
      async () =>
        (
          await db()
            .db.selectFrom('workers')
            .select('id')
            .where('company_id', '=', ACME)
            .where('last_name', '=', 'Ortega-Webhook')
            .executeTakeFirst()
        )?.id,
      'the webhook change to apply',
      60_000,
    );

    // Before disconnect revokes them: the tokens at rest are ciphertext only APP_SECRET opens.
    // (The service account's token and an admin's tokens are stored, encrypted.)
    const tokens = await db().db.selectFrom('procore_tokens').selectAll().execute();
    const wrong = keyringFromSecret('another-secret-that-is-long-enough-0123456789abcdef');
    for (const row of tokens) {
      for (const value of [row.access_token_enc, row.refresh_token_enc].filter((v): v is string => !!v)) {
        expect(() => decryptSecret(wrong, value, `procore_tokens:${ACME}:${row.kind}:access`)).toThrow();
        expect(() => decryptSecret(wrong, value, `procore_tokens:${ACME}:${row.kind}:refresh`)).toThrow();
      }
    }
    // The admin's own Procore grant, kept with the sign-in: the same, and it is the token Procore
    // issued (so the check above is not passing on an empty column).
    const right = keyringFromSecret(TEST_APP_SECRET);
    const signIns = await db()
      .db.selectFrom('app_sessions')
      .select(['id', 'access_token_enc', 'refresh_token_enc'])
      .where('access_token_enc', 'is not', null)
      .execute();
    expect(signIns.length).toBeGreaterThan(0);
    for (const row of signIns) {
      const context = `app_sessions:${row.id}:access`;
      expect(() => decryptSecret(wrong, row.access_token_enc!, context)).toThrow();
      expect(credentials.has(decryptSecret(right, row.access_token_enc!, context))).toBe(true);
      if (row.refresh_token_enc) {
        expect(() =>
          decryptSecret(wrong, row.refresh_token_enc!, `app_sessions:${row.id}:refresh`),
        ).toThrow();
      }
    }
    const dump = await databaseText();
    expect(credentials.size).toBeGreaterThanOrEqual(4);
    for (const c of credentials) expect(dump.includes(c), 'a credential stored in plain text').toBe(false);

    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/companies/${ACME}/connection`,
      headers: auth,
    });
    expect(gone.statusCode).toBe(200);

    const text = lines.join('');
    expect(text).toContain('/syncs');
    for (const c of credentials) expect(text.includes(c), 'a credential in the log').toBe(false);
  }, 240_000);

  it('refuses a tampered session on every /api route', async () => {
    const key = sessionKey(TEST_APP_SECRET);
    const { token } = await issueSession(key, {
      companyId: ACME,
      procoreUserId: '1',
      userName: 'Dana',
      isAdmin: false,
    });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const raised = Buffer.from(JSON.stringify({ ...claims, isAdmin: true, admin: true })).toString(
      'base64url',
    );
    const tampered = [
      `${header}.${raised}.${signature}`,
      `${header}.${payload}.${signature!.slice(0, -2)}AA`,
    ];
    const routes = app.routeTable().filter((r) => r.url.startsWith('/api/companies/'));
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      for (const t of tampered) {
        const res = await app.inject({
          method: r.method as 'GET',
          url: r.url.replace(':companyId', ACME).replace(/:[A-Za-z]+/g, '1'),
          headers: { authorization: `Bearer ${t}` },
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        });
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      }
    }
  });

  it('every HTML response may be framed only by Procore: CSP frame-ancestors, no X-Frame-Options', async () => {
    const pages = [
      '/',
      '/index.html',
      '/auth-popup.html',
      '/auth/procore/callback?error=access_denied&state=x',
    ];
    let html = 0;
    for (const url of pages) {
      const res = await app.inject(url);
      if (!String(res.headers['content-type'] ?? '').includes('text/html')) continue;
      html++;
      expect(res.headers['content-security-policy'], url).toMatch(/frame-ancestors [^;]*https:\/\//);
      expect(res.headers['x-frame-options'], url).toBeUndefined();
    }
    expect(html).toBeGreaterThanOrEqual(3);
  });

  /** Every text the database holds, as one string. */
  async function databaseText(): Promise<string> {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db().db);
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql<{
        j: unknown;
      }>`select row_to_json(t)::text as j from ${sql.table(table_name)} t`.execute(db().db);
      for (const r of rows.rows) parts.push(String(r.j));
    }
    return parts.join('\n');
  }
});
