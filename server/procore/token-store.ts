import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/database';
import { decryptSecret, encryptSecret, type Keyring } from '../security/encryption';

/**
 * `procore_tokens` rows (kind 'user': the connecting admin's tokens), encrypted at rest with the
 * row's identity as associated data, so a ciphertext copied to another company's row does not
 * decrypt. Plaintext tokens exist only in memory.
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

const context = (companyId: string, part: 'access' | 'refresh') => `procore_tokens:${companyId}:user:${part}`;

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
