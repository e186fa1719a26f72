import type { Kysely } from 'kysely';
import type { Database } from '../db/database';

/**
 * `company_alerts` and `alert_recipients` (company id in every WHERE). Only `alerts.service.ts`
 * calls this module.
 */
type Db = Kysely<Database>;

export function listOpenAlerts(db: Db, companyId: string) {
  return db
    .selectFrom('company_alerts')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('resolved_at', 'is', null)
    .execute();
}

/** Opens a problem; false when one of its kind is already open (it is announced once). */
export async function openAlert(
  db: Db,
  companyId: string,
  alert: { code: string; title: string; detail: string; at: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('company_alerts')
    .values({
      company_id: companyId,
      code: alert.code,
      title: alert.title,
      detail: alert.detail,
      started_at: alert.at,
    })
    .onConflict((oc) => oc.columns(['company_id', 'code']).where('resolved_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function resolveAlert(db: Db, companyId: string, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('company_alerts')
    .set({ resolved_at: at })
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Problems whose e-mail (started, or cleared) has not gone out yet, oldest first. */
export function listNoticesDue(db: Db, companyId: string) {
  return db
    .selectFrom('company_alerts')
    .selectAll()
    .where('company_id', '=', companyId)
    .where((eb) =>
      eb.or([
        eb('start_notice_at', 'is', null),
        eb.and([eb('resolved_at', 'is not', null), eb('resolve_notice_at', 'is', null)]),
      ]),
    )
    .orderBy('id')
    .execute();
}

/** Takes one problem's due e-mail for this process until `until`; undefined when another has it. */
export function claimNotice(db: Db, companyId: string, id: string, now: Date, until: Date) {
  return db
    .updateTable('company_alerts')
    .set({ notice_claimed_until: until })
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('notice_claimed_until', 'is', null), eb('notice_claimed_until', '<', now)]))
    .where((eb) =>
      eb.or([
        eb('start_notice_at', 'is', null),
        eb.and([eb('resolved_at', 'is not', null), eb('resolve_notice_at', 'is', null)]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Records the e-mails settled (sent, or nothing to send) and lets go of the claim. */
export async function settleNotice(
  db: Db,
  companyId: string,
  id: string,
  settled: { start?: Date; resolve?: Date },
): Promise<void> {
  await db
    .updateTable('company_alerts')
    .set({
      notice_claimed_until: null,
      ...(settled.start ? { start_notice_at: settled.start } : {}),
      ...(settled.resolve ? { resolve_notice_at: settled.resolve } : {}),
    })
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .execute();
}

/** A send that failed: the next evaluation tries again. */
export async function releaseNotice(db: Db, companyId: string, id: string): Promise<void> {
  await db
    .updateTable('company_alerts')
    .set({ notice_claimed_until: null })
    .where('company_id', '=', companyId)
    .where('id', '=', id)
    .execute();
}

/** Companies with a problem open or an e-mail still due (a disconnected one included). */
export async function listCompaniesWithAlerts(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('company_alerts')
    .select('company_id')
    .distinct()
    // An open problem has no resolve notice yet either.
    .where((eb) => eb.or([eb('start_notice_at', 'is', null), eb('resolve_notice_at', 'is', null)]))
    .execute();
  return rows.map((r) => r.company_id);
}

/** Retention: problems that cleared, and were told so, before `before`. */
export async function purgeResolvedAlerts(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('company_alerts')
    .where('resolved_at', '<', before)
    .where('resolve_notice_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function upsertRecipient(
  db: Db,
  r: { companyId: string; procoreUserId: string; name: string; email: string; at: Date },
): Promise<void> {
  const values = { name: r.name, email: r.email, updated_at: r.at };
  await db
    .insertInto('alert_recipients')
    .values({ company_id: r.companyId, procore_user_id: r.procoreUserId, ...values })
    .onConflict((oc) => oc.columns(['company_id', 'procore_user_id']).doUpdateSet(values))
    .execute();
}

export async function removeRecipient(db: Db, companyId: string, procoreUserId: string): Promise<void> {
  await db
    .deleteFrom('alert_recipients')
    .where('company_id', '=', companyId)
    .where('procore_user_id', '=', procoreUserId)
    .execute();
}

export function listRecipients(db: Db, companyId: string) {
  return db
    .selectFrom('alert_recipients')
    .select(['procore_user_id', 'name', 'email'])
    .where('company_id', '=', companyId)
    .orderBy('name')
    .execute();
}
