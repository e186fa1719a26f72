import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type DatabaseHandle, openPostgres } from '../../../server/db/connect';
import { ProcoreUnauthorizedError } from '../../../server/procore/errors';
import type { RunningSandbox } from '../../../server/sandbox';
import { DecryptionError, decryptSecret, keyringFromSecret } from '../../../server/security/encryption';
import { TEST_APP_SECRET } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { ACME, control, requests, sandboxClient, startTestSandbox } from './helpers/sandbox';

interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/**
 * User tokens (procore-api.md §1.3): refresh rotates both tokens and kills the old refresh token,
 * so two app instances on one database must spend it exactly once (design.md flow 2).
 */
describeEachDatabase('user token rotation', ({ db, backend }) => {
  let sandbox: RunningSandbox;
  let second: DatabaseHandle | undefined;
  let adminId: number;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    const acme = await control<{ admin_user_ids: number[] }>(sandbox, 'GET', `/_sandbox/companies/${ACME}`);
    adminId = acme.admin_user_ids[0]!;
    await db().db.insertInto('companies').values({ id: ACME, name: 'Acme Builders' }).execute();
    // On PostgreSQL the second "app instance" gets its own pool; PGlite is one session, shared.
    if (backend === 'postgres') second = await openPostgres(db().connectionString!, 4);
  });
  afterAll(async () => {
    await second?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await control(sandbox, 'DELETE', '/_sandbox/requests');
  });

  /**
   * A real pair from the sandbox, stored as the connect flow would (by another instance, so no
   * client under test has it cached), already due for refresh.
   */
  async function storeDuePair(): Promise<TokenPair> {
    const pair = await control<TokenPair>(sandbox, 'POST', '/_sandbox/tokens', { user_id: adminId });
    await sandboxClient(sandbox, db().db).tokens.saveUserTokens(ACME, String(adminId), pair);
    await db()
      .db.updateTable('procore_tokens')
      .set({ expires_at: new Date(Date.now() + 60_000), updated_at: new Date(Date.now() - 5_400_000) })
      .where('company_id', '=', ACME)
      .execute();
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    return pair;
  }

  it('two instances refreshing at once spend the refresh token exactly once, and both work', async () => {
    const a = sandboxClient(sandbox, db().db);
    const b = sandboxClient(sandbox, (second ?? db()).db);
    const original = await storeDuePair();
    // Widen the race: both pools warm, and Procore slow to answer the refresh.
    await sql`select 1`.execute((second ?? db()).db);
    await control(sandbox, 'POST', '/_sandbox/faults', {
      kind: 'latency',
      path: '/oauth/token',
      latency_ms: 300,
    });

    const [meA, meB] = await Promise.all([
      a.forCompany(ACME, { auth: 'user' }).companyMe(),
      b.forCompany(ACME, { auth: 'user' }).companyMe(),
    ]);
    await control(sandbox, 'DELETE', '/_sandbox/faults');
    expect(meA.id).toBe(String(adminId));
    expect(meB.id).toBe(String(adminId));

    const log = await requests(sandbox);
    expect(log.filter((r) => r.path === '/oauth/token')).toHaveLength(1);
    expect(log.filter((r) => r.path.startsWith('/rest/')).every((r) => r.status === 200)).toBe(true);
    // The old refresh token is spent; the stored one is new.
    const stored = await sandboxClient(sandbox, db().db).tokens.userAccessToken(ACME);
    expect(stored).not.toBe(original.access_token);
    expect([await a.tokens.userAccessToken(ACME), await b.tokens.userAccessToken(ACME)]).toEqual([
      stored,
      stored,
    ]);
    const replay = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: original.refresh_token,
        client_id: 'sandbox-client',
        client_secret: 'sandbox-secret',
      }),
    });
    expect(replay.status).toBe(400);
  });

  it('after a 401 refreshes once and resends', async () => {
    const client = sandboxClient(sandbox, db().db);
    const pair = await control<TokenPair>(sandbox, 'POST', '/_sandbox/tokens', { user_id: adminId });
    // A still-"fresh" access token that Procore no longer accepts.
    await client.tokens.saveUserTokens(ACME, String(adminId), { ...pair, access_token: 'revoked-elsewhere' });
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    await expect(client.forCompany(ACME, { auth: 'user' }).companyMe()).resolves.toMatchObject({
      id: String(adminId),
    });
    const log = await requests(sandbox);
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /rest/v1.3/companies/${ACME}/me 401`,
      'POST /oauth/token 200',
      `GET /rest/v1.3/companies/${ACME}/me 200`,
    ]);
  });

  it('a refused refresh is a typed "reconnect" error, and the dead token is never sent again', async () => {
    const client = sandboxClient(sandbox, db().db);
    const pair = await storeDuePair();
    // Someone else spends the refresh token (another install of the app, a person with curl…).
    await client.oauth.refresh(pair.refresh_token);
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const fresh = sandboxClient(sandbox, db().db);
    const error = await fresh
      .forCompany(ACME, { auth: 'user' })
      .companyMe()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcoreUnauthorizedError);
    expect((error as Error).message).toMatch(/reconnect/);
    await expect(fresh.forCompany(ACME, { auth: 'user' }).companyMe()).rejects.toBeInstanceOf(
      ProcoreUnauthorizedError,
    );
    expect((await requests(sandbox)).filter((r) => r.path === '/oauth/token')).toHaveLength(1);
  });

  it('stores tokens unreadable without APP_SECRET', async () => {
    const client = sandboxClient(sandbox, db().db);
    const pair = await control<TokenPair>(sandbox, 'POST', '/_sandbox/tokens', { user_id: adminId });
    await client.tokens.saveUserTokens(ACME, String(adminId), pair);
    const row = await db()
      .db.selectFrom('procore_tokens')
      .selectAll()
      .where('company_id', '=', ACME)
      .where('kind', '=', 'user')
      .executeTakeFirstOrThrow();
    const dump = JSON.stringify(row);
    expect(dump).not.toContain(pair.access_token);
    expect(dump).not.toContain(pair.refresh_token);
    expect(row.key_id).toBe(keyringFromSecret(TEST_APP_SECRET).current.id);
    const other = keyringFromSecret('another-secret-that-is-long-enough-0123456789');
    expect(() => decryptSecret(other, row.access_token_enc, `procore_tokens:${ACME}:user:access`)).toThrow(
      DecryptionError,
    );
    // With the right key it is the token, but only in its own row's context.
    const ring = keyringFromSecret(TEST_APP_SECRET);
    expect(decryptSecret(ring, row.access_token_enc, `procore_tokens:${ACME}:user:access`)).toBe(
      pair.access_token,
    );
    expect(() => decryptSecret(ring, row.access_token_enc, 'procore_tokens:1:user:access')).toThrow(
      DecryptionError,
    );
    // Nothing in the database can read it either.
    const text = await sql<{
      t: string;
    }>`select access_token_enc || refresh_token_enc as t from procore_tokens`.execute(db().db);
    expect(text.rows[0]?.t).not.toContain(pair.access_token);
  });

  it('revoking forgets the tokens here and kills them at Procore', async () => {
    const client = sandboxClient(sandbox, db().db);
    const pair = await control<TokenPair>(sandbox, 'POST', '/_sandbox/tokens', { user_id: adminId });
    await client.tokens.saveUserTokens(ACME, String(adminId), pair);
    await client.tokens.revokeUserTokens(ACME);
    const rows = await db().db.selectFrom('procore_tokens').selectAll().where('kind', '=', 'user').execute();
    expect(rows).toHaveLength(0);
    const info = await fetch(`${sandbox.url}/oauth/token/info`, {
      headers: { authorization: `Bearer ${pair.access_token}` },
    });
    expect(info.status).toBe(401);
    await expect(client.forCompany(ACME, { auth: 'user' }).companyMe()).rejects.toThrow(/connect the app/);
  });
});
