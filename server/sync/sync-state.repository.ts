import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database';

/** `user_sync_state`: how far the user sync has read Procore's directory, and autosync's claim. */
export function findSyncState(db: Kysely<Database>, companyId: string) {
  return db
    .selectFrom('user_sync_state')
    .select(['users_watermark', 'last_full_sync_at', 'last_auto_sync_at'])
    .where('company_id', '=', companyId)
    .executeTakeFirst();
}

/** After a run that read Procore to the end: the newest `updated_at` seen, and the full reconcile. */
export async function recordSyncedThrough(
  db: Kysely<Database>,
  companyId: string,
  mark: { watermark: Date | null; fullSyncAt: Date | null },
): Promise<void> {
  if (!mark.watermark && !mark.fullSyncAt) return;
  await db
    .insertInto('user_sync_state')
    .values({ company_id: companyId, users_watermark: mark.watermark, last_full_sync_at: mark.fullSyncAt })
    .onConflict((oc) =>
      oc.column('company_id').doUpdateSet({
        // greatest() ignores a null, so the first watermark is simply taken.
        ...(mark.watermark
          ? { users_watermark: sql<Date>`greatest(user_sync_state.users_watermark, ${mark.watermark})` }
          : {}),
        ...(mark.fullSyncAt ? { last_full_sync_at: mark.fullSyncAt } : {}),
      }),
    )
    .execute();
}

/**
 * Claims this hour's automatic run for each of `companyIds`: one conditional upsert of
 * `last_auto_sync_at`, so however many processes tick at once, PostgreSQL lets exactly one of
 * them move a company into this hour (the others' WHERE no longer matches the updated row).
 */
export function claimAutosync(
  db: Kysely<Database>,
  companyIds: readonly string[],
  now: Date,
  hourStart: Date,
) {
  if (companyIds.length === 0) return Promise.resolve([]);
  return db
    .insertInto('user_sync_state')
    .values(companyIds.map((id) => ({ company_id: id, last_auto_sync_at: now })))
    .onConflict((oc) =>
      oc
        .column('company_id')
        .doUpdateSet({ last_auto_sync_at: now })
        .where((eb) =>
          eb.or([
            eb('user_sync_state.last_auto_sync_at', 'is', null),
            eb('user_sync_state.last_auto_sync_at', '<', hourStart),
          ]),
        ),
    )
    .returning(['company_id as id', 'users_watermark', 'last_full_sync_at'])
    .execute();
}
