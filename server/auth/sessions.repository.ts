import type { Kysely } from 'kysely';
import type { AdminRule, Database, ProcoreGrant } from '../db/database';

/**
 * `app_sessions`: one row per sign-in. The refresh handle is kept only as a hash; the person's
 * Procore tokens only encrypted (sessions.service.ts seals them). Only sessions.service.ts calls
 * this module.
 */
const SESSION_COLUMNS = [
  'id',
  'company_id',
  'company_epoch',
  'procore_user_id',
  'user_name',
  'is_admin',
  'admin_rule',
  'procore_grant',
  'access_token_enc',
  'refresh_token_enc',
  'access_expires_at',
  'last_used_at',
  'expires_at',
  'checked_at',
  'ended_at',
  'ended_reason',
] as const;

export interface NewSession {
  id: string;
  companyId: string;
  companyEpoch: number;
  procoreUserId: string;
  userName: string;
  isAdmin: boolean;
  adminRule: AdminRule;
  grant: ProcoreGrant;
  tokens: SealedTokens | null;
  expiresAt: Date;
  now: Date;
}

export interface SealedTokens {
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  accessExpiresAt: Date;
  keyId: string;
}

export async function insertSession(db: Kysely<Database>, s: NewSession): Promise<void> {
  await db
    .insertInto('app_sessions')
    .values({
      id: s.id,
      company_id: s.companyId,
      company_epoch: s.companyEpoch,
      procore_user_id: s.procoreUserId,
      user_name: s.userName,
      is_admin: s.isAdmin,
      admin_rule: s.adminRule,
      procore_grant: s.grant,
      access_token_enc: s.tokens?.accessTokenEnc ?? null,
      refresh_token_enc: s.tokens?.refreshTokenEnc ?? null,
      access_expires_at: s.tokens?.accessExpiresAt ?? null,
      key_id: s.tokens?.keyId ?? null,
      created_at: s.now,
      last_used_at: s.now,
      checked_at: s.now,
      expires_at: s.expiresAt,
    })
    .execute();
}

/** Gives the sign-in its refresh handle, once: a second handoff of the same sign-in gets nothing. */
export function setHandle(db: Kysely<Database>, id: string, handleHash: string) {
  return db
    .updateTable('app_sessions')
    .set({ handle_hash: handleHash })
    .where('id', '=', id)
    .where('handle_hash', 'is', null)
    .where('ended_at', 'is', null)
    .returning(SESSION_COLUMNS)
    .executeTakeFirst();
}

export function findByHandle(db: Kysely<Database>, handleHash: string) {
  return db
    .selectFrom('app_sessions')
    .select(SESSION_COLUMNS)
    .where('handle_hash', '=', handleHash)
    .executeTakeFirst();
}

export type SessionRow = NonNullable<Awaited<ReturnType<typeof findByHandle>>>;

export async function touchSession(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db.updateTable('app_sessions').set({ last_used_at: now }).where('id', '=', id).execute();
}

/**
 * Claims the re-check of a session's access in Procore: true for exactly one renewal when the
 * last check is older than `dueBefore` and nobody else is checking (claims lapse at `until`).
 */
export async function claimCheck(
  db: Kysely<Database>,
  id: string,
  dueBefore: Date,
  now: Date,
  until: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('app_sessions')
    .set({ check_claimed_until: until })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .where('checked_at', '<=', dueBefore)
    .where((eb) => eb.or([eb('check_claimed_until', 'is', null), eb('check_claimed_until', '<', now)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The re-check's outcome: the admin rule again, and the rotated Procore pair when there is one. */
export async function saveCheck(
  db: Kysely<Database>,
  id: string,
  check: { isAdmin: boolean; adminRule: AdminRule; now: Date },
): Promise<void> {
  await db
    .updateTable('app_sessions')
    .set({
      is_admin: check.isAdmin,
      admin_rule: check.adminRule,
      checked_at: check.now,
      check_claimed_until: null,
    })
    .where('id', '=', id)
    .execute();
}

export async function releaseCheck(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('app_sessions').set({ check_claimed_until: null }).where('id', '=', id).execute();
}

export async function saveTokens(db: Kysely<Database>, id: string, tokens: SealedTokens): Promise<void> {
  await db
    .updateTable('app_sessions')
    .set({
      access_token_enc: tokens.accessTokenEnc,
      refresh_token_enc: tokens.refreshTokenEnc,
      access_expires_at: tokens.accessExpiresAt,
      key_id: tokens.keyId,
    })
    .where('id', '=', id)
    .execute();
}

/** Ends one sign-in and drops its Procore tokens; the row stays to say why. */
/** What ending a sign-in writes: when and why, and its Procore tokens gone. */
function ended(reason: string, now: Date) {
  return {
    ended_at: now,
    ended_reason: reason,
    access_token_enc: null,
    refresh_token_enc: null,
    access_expires_at: null,
    check_claimed_until: null,
  };
}

export async function endSession(db: Kysely<Database>, id: string, reason: string, now: Date): Promise<void> {
  await db
    .updateTable('app_sessions')
    .set(ended(reason, now))
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .execute();
}

/** The company's open sign-ins that hold a Procore grant of their own (to revoke at Disconnect). */
export function listOpenWithTokens(db: Kysely<Database>, companyId: string) {
  return db
    .selectFrom('app_sessions')
    .select(['id', 'access_token_enc', 'refresh_token_enc'])
    .where('company_id', '=', companyId)
    .where('ended_at', 'is', null)
    .where('access_token_enc', 'is not', null)
    .execute();
}

export async function endCompanySessions(
  db: Kysely<Database>,
  companyId: string,
  reason: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('app_sessions')
    .set(ended(reason, now))
    .where('company_id', '=', companyId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Sign-ins that ended, ran out, or lay unused since `idleBefore`, before `before`: nothing in them
 * is needed any more. Returned with any Procore grant they still hold, to revoke before deleting.
 */
export function listPurgeable(db: Kysely<Database>, before: Date, idleBefore: Date) {
  return db
    .selectFrom('app_sessions')
    .select(['id', 'access_token_enc', 'refresh_token_enc'])
    .where((eb) =>
      eb.or([
        eb('ended_at', '<', before),
        eb('expires_at', '<', before),
        eb('last_used_at', '<', idleBefore),
      ]),
    )
    .limit(100)
    .execute();
}

export async function deleteSessions(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('app_sessions').where('id', 'in', ids).execute();
}
