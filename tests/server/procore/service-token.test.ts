import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type DatabaseHandle, openPostgres } from '../../../server/db/connect';
import type { RunningSandbox } from '../../../server/sandbox';
import { decryptSecret, keyringFromSecret } from '../../../server/security/encryption';
import { TEST_APP_SECRET } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { ACME, control, requests, sandboxClient, startTestSandbox } from './helpers/sandbox';

/**
 * The company's service-account token is shared through the database: a second app instance uses
 * the stored one instead of asking Procore for its own, and instances renewing at once make one
 * client-credentials grant between them.
 */
describeEachDatabase('shared service-account token', ({ db, backend }) => {
  let sandbox: RunningSandbox;
  let second: DatabaseHandle | undefined;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    await db().db.insertInto('companies').values({ id: ACME, name: 'Acme Builders' }).execute();
    // On PostgreSQL the second app instance gets its own pool; PGlite is one session, shared.
    if (backend === 'postgres') second = await openPostgres(db().connectionString!, 4);
  });
  afterAll(async () => {
    await second?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await db().db.deleteFrom('procore_tokens').execute();
    await control(sandbox, 'DELETE', '/_sandbox/requests');
  });

  const grants = async () => (await requests(sandbox)).filter((r) => r.path === '/oauth/token');
  const restCalls = async () => (await requests(sandbox)).filter((r) => r.path.startsWith('/rest/'));

  it('two instances starting at once make one grant and both call Procore with it', async () => {
    const a = sandboxClient(sandbox, db().db);
    const b = sandboxClient(sandbox, (second ?? db()).db);
    await sql`select 1`.execute((second ?? db()).db);
    // Procore slow to answer the grant: both instances are waiting for a token at the same time.
    await control(sandbox, 'POST', '/_sandbox/faults', {
      kind: 'latency',
      path: '/oauth/token',
      latency_ms: 300,
    });
    const [toolsA, toolsB] = await Promise.all([
      a.forCompany(ACME).permissionManifest(),
      b.forCompany(ACME).permissionManifest(),
    ]);
    await control(sandbox, 'DELETE', '/_sandbox/faults');
    expect(toolsA).toEqual(toolsB);

    expect(await grants()).toHaveLength(1);
    const calls = await restCalls();
    expect(calls).toHaveLength(2);
    expect(calls.every((r) => r.status === 200)).toBe(true);

    // A third instance started later reuses it too.
    const c = sandboxClient(sandbox, db().db);
    await c.forCompany(ACME).permissionManifest();
    expect(await grants()).toHaveLength(1);
  });

  it('is stored encrypted: only APP_SECRET opens it', async () => {
    await sandboxClient(sandbox, db().db).forCompany(ACME).permissionManifest();
    const row = await db()
      .db.selectFrom('procore_tokens')
      .selectAll()
      .where('company_id', '=', ACME)
      .where('kind', '=', 'service')
      .executeTakeFirstOrThrow();
    const context = `procore_tokens:${ACME}:service:access`;
    const token = decryptSecret(keyringFromSecret(TEST_APP_SECRET), row.access_token_enc, context);
    const info = await fetch(`${sandbox.url}/oauth/token/info`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(info.status).toBe(200);
    expect(row.access_token_enc).not.toContain(token);
    const wrong = keyringFromSecret('another-secret-that-is-long-enough-0123456789abcdef');
    expect(() => decryptSecret(wrong, row.access_token_enc, context)).toThrow();
  });

  it('a stored token that has expired is renewed once for every instance', async () => {
    await sandboxClient(sandbox, db().db).forCompany(ACME).permissionManifest();
    await db()
      .db.updateTable('procore_tokens')
      .set({ expires_at: new Date(Date.now() - 1_000), updated_at: new Date(Date.now() - 7_200_000) })
      .where('company_id', '=', ACME)
      .where('kind', '=', 'service')
      .execute();
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    await control(sandbox, 'POST', '/_sandbox/faults', {
      kind: 'latency',
      path: '/oauth/token',
      latency_ms: 300,
    });
    const a = sandboxClient(sandbox, db().db);
    const b = sandboxClient(sandbox, (second ?? db()).db);
    await Promise.all([
      a.forCompany(ACME).permissionManifest(),
      b.forCompany(ACME).permissionManifest(),
      a.forCompany(ACME).permissionManifest(),
    ]);
    await control(sandbox, 'DELETE', '/_sandbox/faults');
    expect(await grants()).toHaveLength(1);
    expect((await restCalls()).every((r) => r.status === 200)).toBe(true);
    const stored = await db()
      .db.selectFrom('procore_tokens')
      .select('expires_at')
      .where('company_id', '=', ACME)
      .where('kind', '=', 'service')
      .executeTakeFirstOrThrow();
    expect(new Date(stored.expires_at).getTime()).toBeGreaterThan(Date.now());
  });

  it('a token Procore refuses is replaced once, and the other instance moves to the new one', async () => {
    const a = sandboxClient(sandbox, db().db);
    const b = sandboxClient(sandbox, (second ?? db()).db);
    await a.forCompany(ACME).permissionManifest();
    await b.forCompany(ACME).permissionManifest();
    const row = await db()
      .db.selectFrom('procore_tokens')
      .select('access_token_enc')
      .where('company_id', '=', ACME)
      .where('kind', '=', 'service')
      .executeTakeFirstOrThrow();
    const token = decryptSecret(
      keyringFromSecret(TEST_APP_SECRET),
      row.access_token_enc,
      `procore_tokens:${ACME}:service:access`,
    );
    // Revoked at Procore behind both instances' backs.
    const revoke = await fetch(`${sandbox.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: 'sandbox-client', client_secret: 'sandbox-secret' }),
    });
    expect(revoke.ok).toBe(true);
    await control(sandbox, 'DELETE', '/_sandbox/requests');

    await a.forCompany(ACME).permissionManifest();
    await b.forCompany(ACME).permissionManifest();
    expect(await grants()).toHaveLength(1);
    expect((await restCalls()).map((r) => r.status)).toEqual([401, 200, 401, 200]);
  });
});
