import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/database';
import { decryptSecret, encryptSecret, type Keyring } from '../security/encryption';

/**
 * `procore_tokens` rows, encrypted at rest with the row's identity as associated data, so a
 * ciphertext copied to another company's row (or kind) does not decrypt. Plaintext tokens exist
 * only in memory. Kind 'user': the connecting admin's pair. Kind 'service': the company's
 * service-account (client credentials) token, shared by every app process on the database.
 */

export interface UserTokens {
  procoreUserId: string | null;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date;
  /** When the pair was stored (its lifetime = expiresAt - storedAt). */
  storedAt: Date;
}

type Db = Kysely<Database> | Transaction<Database>;

type Kind = 'user' | 'service';

const context = (companyId: string, part: 'access' | 'refresh', kind: Kind = 'user') =>
  `procore_tokens:${companyId}:${kind}:${part}`;

export async function loadUserTokens(
  db: Db,
  keyring: Keyring,
  companyId: string,
): Promise<UserTokens | undefined> {
  const row = await db
    .selectFrom('procore_tokens')
    .select(['procore_user_id', 'access_token_enc', 'refresh_token_enc', 'expires_at', 'updated_at'])
    .where('company_id', '=', companyId)
    .where('kind', '=', 'user')
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    procoreUserId: row.procore_user_id,
    accessToken: decryptSecret(keyring, row.access_token_enc, context(companyId, 'access')),
    refreshToken: row.refresh_token_enc
      ? decryptSecret(keyring, row.refresh_token_enc, context(companyId, 'refresh'))
      : null,
    expiresAt: new Date(row.expires_at),
    storedAt: new Date(row.updated_at),
  };
}

export async function saveUserTokens(
  db: Db,
  keyring: Keyring,
  companyId: string,
  tokens: Omit<UserTokens, 'storedAt'>,
  now: Date,
): Promise<void> {
  const values = {
    procore_user_id: tokens.procoreUserId,
    access_token_enc: encryptSecret(keyring, tokens.accessToken, context(companyId, 'access')),
    refresh_token_enc: tokens.refreshToken
      ? encryptSecret(keyring, tokens.refreshToken, context(companyId, 'refresh'))
      : null,
    expires_at: tokens.expiresAt,
    key_id: keyring.current.id,
    updated_at: now,
  };
  await db
    .insertInto('procore_tokens')
    .values({ company_id: companyId, kind: 'user', ...values })
    .onConflict((oc) => oc.columns(['company_id', 'kind']).doUpdateSet(values))
    .execute();
}

/** The refresh token is dead (§1.3): keep the row for its user id, but never spend it again. */
export async function markUserTokensDead(db: Db, companyId: string, now: Date): Promise<void> {
  await db
    .updateTable('procore_tokens')
    .set({ refresh_token_enc: null, expires_at: now, updated_at: now })
    .where('company_id', '=', companyId)
    .where('kind', '=', 'user')
    .execute();
}

export async function deleteUserTokens(db: Db, companyId: string): Promise<void> {
  await db
    .deleteFrom('procore_tokens')
    .where('company_id', '=', companyId)
    .where('kind', '=', 'user')
    .execute();
}

/**
 * Serializes refreshes of one company's user token across every app process on the database
 * (design.md flow 2): a transaction-scoped advisory lock, released by COMMIT or ROLLBACK.
 */
export async function lockUserTokens(trx: Transaction<Database>, companyId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('procore_tokens'), hashtext(${`${companyId}:user`}))`.execute(
    trx,
  );
}

/** The company's stored service-account token. */
export interface ServiceToken {
  accessToken: string;
  expiresAt: Date;
  /** When it was stored (its lifetime = expiresAt - storedAt). */
  storedAt: Date;
}

export async function loadServiceToken(
  db: Db,
  keyring: Keyring,
  companyId: string,
): Promise<ServiceToken | undefined> {
  const row = await db
    .selectFrom('procore_tokens')
    .select(['access_token_enc', 'expires_at', 'updated_at'])
    .where('company_id', '=', companyId)
    .where('kind', '=', 'service')
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    accessToken: decryptSecret(keyring, row.access_token_enc, context(companyId, 'access', 'service')),
    expiresAt: new Date(row.expires_at),
    storedAt: new Date(row.updated_at),
  };
}

/** Stores the token unless the company is gone (an uninstall racing a fetch leaves nothing behind). */
export async function saveServiceToken(
  db: Db,
  keyring: Keyring,
  companyId: string,
  token: ServiceToken,
): Promise<void> {
  const values = {
    procore_user_id: null,
    access_token_enc: encryptSecret(keyring, token.accessToken, context(companyId, 'access', 'service')),
    refresh_token_enc: null,
    expires_at: token.expiresAt,
    key_id: keyring.current.id,
    updated_at: token.storedAt,
  };
  await db
    .insertInto('procore_tokens')
    .columns(['company_id', 'kind', ...(Object.keys(values) as Array<keyof typeof values>)])
    .expression((eb) =>
      eb
        .selectFrom('companies')
        .select([
          'id',
          eb.val<Kind>('service').as('kind'),
          eb.val(values.procore_user_id).as('procore_user_id'),
          eb.val(values.access_token_enc).as('access_token_enc'),
          eb.val(values.refresh_token_enc).as('refresh_token_enc'),
          eb.val(values.expires_at).as('expires_at'),
          eb.val(values.key_id).as('key_id'),
          eb.val(values.updated_at).as('updated_at'),
        ])
        .where('id', '=', companyId),
    )
    .onConflict((oc) => oc.columns(['company_id', 'kind']).doUpdateSet(values))
    .execute();
}

/** Forgets the stored service-account token (disconnect, uninstall). */
export async function deleteServiceToken(db: Db, companyId: string): Promise<void> {
  await db
    .deleteFrom('procore_tokens')
    .where('company_id', '=', companyId)
    .where('kind', '=', 'service')
    .execute();
}

/** Serializes fetches of one company's service-account token across every app process. */
export async function lockServiceToken(trx: Transaction<Database>, companyId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('procore_tokens'), hashtext(${`${companyId}:service`}))`.execute(
    trx,
  );
}
