import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Database, DeactivationGuardTable } from '../db/database';
import { anyOf } from '../db/sql-lists';

/**
 * `deactivation_guard`: what the deactivation safeguard remembers about a Procore user (one row
 * per company and user; safeguard.ts decides what each state means). Every query carries the
 * company id.
 */
export type GuardRow = Selectable<DeactivationGuardTable>;

/**
 * Serialises the safeguard's decisions for one company (the rolling window's count, the one
 * waiting webhook review) until the caller's transaction ends. Taken before any worker is
 * written in that transaction.
 */
export async function lockGuard(trx: Transaction<Database>, companyId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('deactivation_guard'), hashtext(${companyId}))`.execute(
    trx,
  );
}

export async function findGuards(
  db: Kysely<Database>,
  companyId: string,
  procoreUserIds: readonly string[],
  states: ReadonlyArray<GuardRow['state']> = ['applied', 'held', 'cancelled'],
): Promise<Map<string, GuardRow>> {
  if (procoreUserIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('deactivation_guard')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('procore_user_id', '=', anyOf(procoreUserIds, 'bigint'))
    .where('state', 'in', [...states])
    .execute();
  return new Map(rows.map((r) => [r.procore_user_id, r]));
}

export interface GuardWrite {
  procoreUserId: string;
  workerId: string;
  state: GuardRow['state'];
  runId: string | null;
  procoreUpdatedAt: Date | null;
  reasonCode: string;
  reason: string;
  at: Date;
}

/** Each user's row becomes the one given, whatever it was. */
export async function putGuards(
  trx: Transaction<Database>,
  companyId: string,
  rows: readonly GuardWrite[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('deactivation_guard')
    .values(
      rows.map((r) => ({
        company_id: companyId,
        procore_user_id: r.procoreUserId,
        worker_id: r.workerId,
        state: r.state,
        run_id: r.runId,
        procore_updated_at: r.procoreUpdatedAt,
        reason_code: r.reasonCode,
        reason: r.reason,
        at: r.at,
        cancelled_by_name: null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['company_id', 'procore_user_id']).doUpdateSet((eb) => ({
        worker_id: eb.ref('excluded.worker_id'),
        state: eb.ref('excluded.state'),
        run_id: eb.ref('excluded.run_id'),
        procore_updated_at: eb.ref('excluded.procore_updated_at'),
        reason_code: eb.ref('excluded.reason_code'),
        reason: eb.ref('excluded.reason'),
        at: eb.ref('excluded.at'),
        cancelled_by_name: null,
      })),
    )
    .execute();
}

/** A held user seen again, still to be deactivated: the newest Procore `updated_at` is kept. */
export async function raiseMarker(
  trx: Transaction<Database>,
  companyId: string,
  procoreUserId: string,
  procoreUpdatedAt: Date,
): Promise<void> {
  await trx
    .updateTable('deactivation_guard')
    .set({ procore_updated_at: procoreUpdatedAt })
    .where('company_id', '=', companyId)
    .where('procore_user_id', '=', procoreUserId)
    .where((eb) =>
      eb.or([eb('procore_updated_at', 'is', null), eb('procore_updated_at', '<', procoreUpdatedAt)]),
    )
    .execute();
}

export async function deleteGuards(
  trx: Transaction<Database>,
  companyId: string,
  procoreUserIds: readonly string[],
): Promise<void> {
  if (procoreUserIds.length === 0) return;
  await trx
    .deleteFrom('deactivation_guard')
    .where('company_id', '=', companyId)
    .where('procore_user_id', '=', anyOf(procoreUserIds, 'bigint'))
    .execute();
}

/** The webhook deactivations of the rolling window (older ones are forgotten first). */
export async function appliedSince(
  trx: Transaction<Database>,
  companyId: string,
  since: Date,
): Promise<GuardRow[]> {
  await trx
    .deleteFrom('deactivation_guard')
    .where('company_id', '=', companyId)
    .where('state', '=', 'applied')
    .where('at', '<', since)
    .execute();
  return trx
    .selectFrom('deactivation_guard')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('state', '=', 'applied')
    .orderBy('at')
    .execute();
}

/** A review was cancelled: its held users become cancellations. */
export async function cancelHeld(
  trx: Transaction<Database>,
  companyId: string,
  runId: string,
  review: { byName: string; at: Date },
): Promise<number> {
  const result = await trx
    .updateTable('deactivation_guard')
    .set({ state: 'cancelled', at: review.at, cancelled_by_name: review.byName })
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('state', '=', 'held')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A review was confirmed: its users are no longer held (deactivated, or changed since). */
export async function forgetHeld(
  trx: Transaction<Database>,
  companyId: string,
  runId: string,
): Promise<void> {
  await trx
    .deleteFrom('deactivation_guard')
    .where('company_id', '=', companyId)
    .where('run_id', '=', runId)
    .where('state', '=', 'held')
    .execute();
}
