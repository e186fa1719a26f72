import type { Kysely, Transaction } from 'kysely';
import type { AccessMode, Database } from '../db/database';
import { autosyncMinuteFor } from '../sync/autosync';

type Db = Kysely<Database> | Transaction<Database>;

export function findCompany(db: Db, companyId: string) {
  return db
    .selectFrom('companies')
    .select([
      'id',
      'name',
      'connection_state',
      'disconnect_reason',
      'connected_at',
      'disconnected_at',
      'connected_by_name',
      'access_mode',
      'webhook_hook_id',
      'webhook_last_delivery_at',
      'last_full_sync_at',
      'user_sync_enabled',
      'sync_classifications',
      'autosync',
    ])
    .where('id', '=', companyId)
    .executeTakeFirst();
}

export async function upsertConnectedCompany(
  db: Db,
  company: {
    id: string;
    name: string;
    connectedByUserId: string;
    connectedByName: string;
    accessMode: AccessMode;
    serviceAccountUserId: string | null;
  },
): Promise<void> {
  const now = new Date();
  await db
    .insertInto('companies')
    .values({
      id: company.id,
      name: company.name,
      connection_state: 'connected',
      connected_at: now,
      connected_by_user_id: company.connectedByUserId,
      connected_by_name: company.connectedByName,
      access_mode: company.accessMode,
      service_account_user_id: company.serviceAccountUserId,
      autosync_minute: autosyncMinuteFor(company.id),
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        name: company.name,
        connection_state: 'connected',
        disconnect_reason: null,
        disconnected_at: null,
        connected_at: now,
        connected_by_user_id: company.connectedByUserId,
        connected_by_name: company.connectedByName,
        access_mode: company.accessMode,
        service_account_user_id: company.serviceAccountUserId,
        updated_at: now,
      }),
    )
    .execute();
}

export async function setWebhook(
  db: Db,
  companyId: string,
  hookId: string | null,
  secretHash: string | null,
) {
  await db
    .updateTable('companies')
    .set({ webhook_hook_id: hookId, webhook_secret_hash: secretHash, updated_at: new Date() })
    .where('id', '=', companyId)
    .execute();
}

export async function markDisconnected(db: Db, companyId: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('companies')
    .set({
      connection_state: 'disconnected',
      disconnect_reason: reason,
      disconnected_at: new Date(),
      webhook_hook_id: null,
      webhook_secret_hash: null,
      updated_at: new Date(),
    })
    .where('id', '=', companyId)
    .where('connection_state', '=', 'connected')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
