import type { Kysely } from 'kysely';
import type { Database } from '../db/database';

/**
 * `oauth_states` (a popup's pending sign-in) and `auth_handoffs` (the one-time code the popup
 * hands to the iframe). Both are stored as hashes and used once.
 */
export async function insertOAuthState(
  db: Kysely<Database>,
  state: { stateHash: string; nonceHash: string; companyId: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('oauth_states')
    .values({
      state_hash: state.stateHash,
      nonce_hash: state.nonceHash,
      company_id: state.companyId,
      expires_at: state.expiresAt,
    })
    .execute();
}

/** Marks the state used; undefined when it is unknown, already used, expired or from another popup. */
export function useOAuthState(db: Kysely<Database>, stateHash: string, nonceHash: string, now: Date) {
  return db
    .updateTable('oauth_states')
    .set({ used_at: now })
    .where('state_hash', '=', stateHash)
    .where('nonce_hash', '=', nonceHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('company_id')
    .executeTakeFirst();
}

export interface Handoff {
  codeHash: string;
  companyId: string;
  procoreUserId: string;
  userName: string;
  isAdmin: boolean;
  /** The sign-in (server/auth `app_sessions`) the code hands over. */
  sessionId: string;
  expiresAt: Date;
}

export async function insertHandoff(db: Kysely<Database>, handoff: Handoff): Promise<void> {
  await db
    .insertInto('auth_handoffs')
    .values({
      code_hash: handoff.codeHash,
      company_id: handoff.companyId,
      procore_user_id: handoff.procoreUserId,
      user_name: handoff.userName,
      is_admin: handoff.isAdmin,
      session_id: handoff.sessionId,
      expires_at: handoff.expiresAt,
    })
    .execute();
}

export function useHandoff(db: Kysely<Database>, codeHash: string, now: Date) {
  return db
    .updateTable('auth_handoffs')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['company_id', 'procore_user_id', 'user_name', 'is_admin', 'session_id'])
    .executeTakeFirst();
}

/**
 * Retention: a state or code used or expired before `before` can never be used again; the rows
 * only grow the table. Unused, unexpired ones stay (a sign-in in progress).
 */
export async function purgeSpentOAuthRecords(db: Kysely<Database>, before: Date): Promise<number> {
  const states = await db
    .deleteFrom('oauth_states')
    .where((eb) => eb.or([eb('used_at', '<', before), eb('expires_at', '<', before)]))
    .executeTakeFirst();
  const handoffs = await db
    .deleteFrom('auth_handoffs')
    .where((eb) => eb.or([eb('used_at', '<', before), eb('expires_at', '<', before)]))
    .executeTakeFirst();
  return Number(states.numDeletedRows) + Number(handoffs.numDeletedRows);
}
