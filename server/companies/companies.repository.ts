import { type Kysely, sql } from 'kysely';
import type { AccessMode, Database } from '../db/database';

/**
 * `companies`: one row per Procore company that connected the app, with how the app reaches
 * Procore for it and its webhook hook. Only `companies.service.ts` calls this module.
 */
const COMPANY_COLUMNS = [
  'id',
  'name',
  'connection_state',
  'disconnect_reason',
  'connected_at',
  'disconnected_at',
  'connected_by_name',
  'access_mode',
  'service_account_user_id',
  'webhook_hook_id',
  'webhook_last_delivery_at',
  'session_epoch',
] as const;

export function findCompany(db: Kysely<Database>, companyId: string) {
  return db.selectFrom('companies').select(COMPANY_COLUMNS).where('id', '=', companyId).executeTakeFirst();
}

export type CompanyRow = NonNullable<Awaited<ReturnType<typeof findCompany>>>;

export async function listConnectedCompanyIds(db: Kysely<Database>, among?: readonly string[]) {
  if (among?.length === 0) return [];
  let query = db.selectFrom('companies').select('id').where('connection_state', '=', 'connected');
  if (among) query = query.where('id', 'in', [...among]);
  return (await query.execute()).map((r) => r.id);
}

export interface ConnectedCompany {
  id: string;
  name: string;
  connectedByUserId: string;
  connectedByName: string;
  accessMode: AccessMode;
  serviceAccountUserId: string | null;
}

export async function upsertConnectedCompany(db: Kysely<Database>, company: ConnectedCompany): Promise<void> {
  const now = new Date();
  const connected = {
    name: company.name,
    connection_state: 'connected' as const,
    connected_at: now,
    connected_by_user_id: company.connectedByUserId,
    connected_by_name: company.connectedByName,
    access_mode: company.accessMode,
    service_account_user_id: company.serviceAccountUserId,
  };
  await db
    .insertInto('companies')
    .values({ id: company.id, ...connected })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ ...connected, disconnect_reason: null, disconnected_at: null, updated_at: now }),
    )
    .execute();
}

export async function setWebhook(
  db: Kysely<Database>,
  companyId: string,
  hookId: string | null,
  secretHash: string | null,
): Promise<void> {
  await db
    .updateTable('companies')
    .set({ webhook_hook_id: hookId, webhook_secret_hash: secretHash, updated_at: new Date() })
    .where('id', '=', companyId)
    .execute();
}

export function findWebhookSecret(db: Kysely<Database>, companyId: string) {
  return db
    .selectFrom('companies')
    .select(['connection_state', 'webhook_secret_hash'])
    .where('id', '=', companyId)
    .executeTakeFirst();
}

/** At most one write a second per company, however fast deliveries arrive. */
export async function touchWebhookDeliveries(
  db: Kysely<Database>,
  companyIds: readonly string[],
): Promise<void> {
  if (companyIds.length === 0) return;
  await db
    .updateTable('companies')
    .set({ webhook_last_delivery_at: sql`now()` })
    .where('id', 'in', [...companyIds])
    .where((eb) =>
      eb.or([
        eb('webhook_last_delivery_at', 'is', null),
        eb('webhook_last_delivery_at', '<', sql<Date>`now() - interval '1 second'`),
      ]),
    )
    .execute();
}

export async function markDisconnected(
  db: Kysely<Database>,
  companyId: string,
  reason: string,
): Promise<boolean> {
  const now = new Date();
  const result = await db
    .updateTable('companies')
    .set({
      connection_state: 'disconnected',
      disconnect_reason: reason,
      disconnected_at: now,
      webhook_hook_id: null,
      webhook_secret_hash: null,
      // Every session issued before this moment is refused from now on (server/auth).
      session_epoch: sql<number>`session_epoch + 1`,
      updated_at: now,
    })
    .where('id', '=', companyId)
    .where('connection_state', '=', 'connected')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
