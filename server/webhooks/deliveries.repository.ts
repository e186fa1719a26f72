import type { Kysely, Transaction } from 'kysely';
import type { Database, DeliveryOutcome } from '../db/database';
import { COMPANY_USERS_RESOURCE } from '../install/procore-connect.gateway';

/**
 * The job's side of `webhook_deliveries` (style.md rule 10: company id in every WHERE). The
 * receiver stores a delivery as `queued`; the job that read the user settles it.
 */
type Db = Kysely<Database> | Transaction<Database>;

/**
 * Deliveries for this user still waiting, taken before the job reads Procore: those are the ones
 * the read covers. A delivery arriving later has queued its own job (webhook.job.ts).
 */
export async function waitingDeliveryIds(
  db: Db,
  companyId: string,
  procoreUserId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('company_id', '=', companyId)
    .where('resource_id', '=', procoreUserId)
    .where('outcome', '=', 'queued')
    .where('resource_name', '=', COMPANY_USERS_RESOURCE)
    .execute();
  return rows.map((r) => r.id);
}

export async function settleDeliveries(
  db: Db,
  companyId: string,
  ids: readonly string[],
  result: { outcome: Exclude<DeliveryOutcome, 'queued'>; reason: string | null; at: Date },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_deliveries')
    .set({ outcome: result.outcome, outcome_reason: result.reason, processed_at: result.at })
    .where('company_id', '=', companyId)
    .where('id', 'in', [...ids])
    .where('outcome', '=', 'queued')
    .execute();
}

/**
 * Records that a read of this user, started at `readAt`, is being applied; false when a read that
 * started later was applied already (it saw a newer Procore state). The row lock taken here holds
 * a concurrent apply of the same user until this transaction ends.
 */
export async function claimUserRead(
  trx: Transaction<Database>,
  companyId: string,
  procoreUserId: string,
  readAt: Date,
): Promise<boolean> {
  const row = await trx
    .insertInto('webhook_user_reads')
    .values({ company_id: companyId, procore_user_id: procoreUserId, read_at: readAt })
    .onConflict((oc) =>
      oc
        .columns(['company_id', 'procore_user_id'])
        .doUpdateSet({ read_at: readAt })
        .where('webhook_user_reads.read_at', '<=', readAt),
    )
    .returning('read_at')
    .executeTakeFirst();
  return row !== undefined;
}
