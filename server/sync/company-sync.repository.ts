import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/database';

/** The columns of `companies` the sync reads and writes (settings, watermarks, autosync). */
type Db = Kysely<Database> | Transaction<Database>;

export function findCompanyForSync(db: Db, companyId: string) {
  return db
    .selectFrom('companies')
    .select([
      'id',
      'name',
      'connection_state',
      'service_account_user_id',
      'user_sync_enabled',
      'sync_classifications',
      'autosync',
      'autosync_minute',
      'users_watermark',
      'last_full_sync_at',
      'last_auto_sync_at',
    ])
    .where('id', '=', companyId)
    .executeTakeFirst();
}

export type CompanyForSync = NonNullable<Awaited<ReturnType<typeof findCompanyForSync>>>;

/** After a run that read Procore to the end: the newest `updated_at` seen, and the full reconcile. */
export async function recordSyncedThrough(
  db: Db,
  companyId: string,
  mark: { watermark: Date | null; fullSyncAt: Date | null },
): Promise<void> {
  if (!mark.watermark && !mark.fullSyncAt) return;
  await db
    .updateTable('companies')
    .set({
      // greatest() ignores a null, so the first watermark is simply taken.
      ...(mark.watermark ? { users_watermark: sql<Date>`greatest(users_watermark, ${mark.watermark})` } : {}),
      ...(mark.fullSyncAt ? { last_full_sync_at: mark.fullSyncAt } : {}),
    })
    .where('id', '=', companyId)
    .execute();
}
