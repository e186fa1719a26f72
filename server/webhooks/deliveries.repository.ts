import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, DeliveryOutcome } from '../db/database';
import { COMPANY_USERS_RESOURCE } from './hooks.service';
import type { WebhookEvent } from './payload';

/**
 * `webhook_deliveries` and `webhook_user_reads` (company id in every WHERE). The
 * receiver stores a delivery as `queued`; the job that read the user settles it.
 */
type Db = Kysely<Database>;

/** Stores a delivery under its unique id; undefined when it was stored already (a repeat). */
export async function insertDelivery(
  db: Db,
  event: WebhookEvent,
  stored: { json: string; outcome: 'queued' | 'ignored'; reason: string | null },
) {
  const [row] = await insertDeliveries(db, [{ event, ...stored, receivedAt: new Date() }]);
  return row;
}

/** Rows per insert statement (11 parameters each). */
const INSERT_CHUNK = 500;

/**
 * Stores deliveries under their unique ids in one statement per 500, and answers the ones that
 * were new (a repeat, or one already in the batch, is left out).
 */
export async function insertDeliveries(
  db: Db | Transaction<Database>,
  deliveries: ReadonlyArray<{
    event: WebhookEvent;
    json: string;
    outcome: 'queued' | 'ignored';
    reason: string | null;
    receivedAt: Date;
  }>,
) {
  const unique = [
    ...new Map(deliveries.map((d) => [`${d.event.companyId}:${d.event.deliveryKey}`, d])).values(),
  ];
  const inserted: Array<{
    id: string;
    company_id: string;
    delivery_key: string;
    resource_id: string | null;
    outcome: DeliveryOutcome;
  }> = [];
  for (let i = 0; i < unique.length; i += INSERT_CHUNK) {
    const rows = await db
      .insertInto('webhook_deliveries')
      .values(
        unique.slice(i, i + INSERT_CHUNK).map(({ event, json, outcome, reason, receivedAt }) => ({
          company_id: event.companyId,
          delivery_key: event.deliveryKey,
          payload_version: event.payloadVersion,
          resource_name: event.resourceName,
          event_type: event.eventType,
          resource_id: event.resourceId,
          event_at: event.eventAt,
          payload: json,
          outcome,
          outcome_reason: reason,
          received_at: receivedAt,
        })),
      )
      .onConflict((oc) => oc.columns(['company_id', 'delivery_key']).doNothing())
      .returning(['id', 'company_id', 'delivery_key', 'resource_id', 'outcome'])
      .execute();
    inserted.push(...rows);
  }
  return inserted;
}

/**
 * Deliveries for these users still waiting, taken before the job reads Procore: those are the
 * ones the read covers. A delivery arriving later has queued its own job (webhook-user-change.job.ts).
 */
export async function waitingDeliveryIds(
  db: Db,
  companyId: string,
  procoreUserIds: readonly string[],
): Promise<Map<string, string[]>> {
  const waiting = new Map<string, string[]>();
  if (procoreUserIds.length === 0) return waiting;
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'resource_id'])
    .where('company_id', '=', companyId)
    .where('resource_id', 'in', [...procoreUserIds])
    .where('outcome', '=', 'queued')
    .where('resource_name', '=', COMPANY_USERS_RESOURCE)
    .orderBy('id')
    .execute();
  for (const r of rows) {
    if (!r.resource_id) continue;
    const ids = waiting.get(r.resource_id);
    if (ids) ids.push(r.id);
    else waiting.set(r.resource_id, [r.id]);
  }
  return waiting;
}

/**
 * Who made the changes these deliveries announce, per changed user: the newest delivery's
 * `user_id` (procore-api.md §6.2, "the user who performed the action";
 * `metadata.source_user_id` when it is missing).
 */
export async function latestDeliveryAuthors(
  db: Db,
  companyId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const author = sql<string | null>`coalesce(payload->>'user_id', payload->'metadata'->>'source_user_id')`;
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['resource_id', author.as('author')])
    .distinctOn('resource_id')
    .where('company_id', '=', companyId)
    .where('id', 'in', [...ids])
    .where(sql<boolean>`${author} ~ '^[0-9]{1,18}$'`)
    .orderBy('resource_id')
    .orderBy('id', 'desc')
    .execute();
  return new Map(
    rows.flatMap((r) => (r.resource_id && r.author ? [[r.resource_id, r.author] as const] : [])),
  );
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
 * Records that reads of these users, started at `readAt`, are being applied, and answers the
 * users whose read counts: a user is left out when a read that started later was applied already
 * (it saw a newer Procore state). The row locks taken here hold a concurrent apply of the same
 * users until this transaction ends; users are locked in one order, so two batches never wait
 * for each other.
 */
export async function claimUserReads(
  trx: Transaction<Database>,
  companyId: string,
  procoreUserIds: readonly string[],
  readAt: Date,
): Promise<Set<string>> {
  if (procoreUserIds.length === 0) return new Set();
  const rows = await trx
    .insertInto('webhook_user_reads')
    .values(
      [...new Set(procoreUserIds)]
        .sort()
        .map((id) => ({ company_id: companyId, procore_user_id: id, read_at: readAt })),
    )
    .onConflict((oc) =>
      oc
        .columns(['company_id', 'procore_user_id'])
        .doUpdateSet({ read_at: readAt })
        .where('webhook_user_reads.read_at', '<=', readAt),
    )
    .returning('procore_user_id')
    .execute();
  return new Set(rows.map((r) => r.procore_user_id));
}

/** Every (company, user) with a delivery still waiting for its job (received before `before`). */
export function listWaitingUsers(db: Db, before?: Date) {
  let query = db
    .selectFrom('webhook_deliveries')
    .select(['company_id', 'resource_id'])
    .distinct()
    .where('outcome', '=', 'queued')
    .where('resource_name', '=', COMPANY_USERS_RESOURCE)
    .where('resource_id', 'is not', null);
  if (before) query = query.where('received_at', '<', before);
  return query.execute();
}

/** Retention: settled deliveries received before `before` (one still waiting is never purged). */
export async function purgeSettledDeliveries(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('webhook_deliveries')
    .where('outcome', '<>', 'queued')
    .where('received_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface DeliveryHealth {
  /** Deliveries settled `failed` since `since`. */
  failed: number;
  lastFailedAt: Date | null;
  lastFailureReason: string | null;
  /** The newest delivery applied since `since`. */
  lastAppliedAt: Date | null;
}

/** How the company's webhook changes have fared since `since` (alerts: "changes are failing"). */
export async function deliveryHealth(db: Db, companyId: string, since: Date): Promise<DeliveryHealth> {
  const counts = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'failed').as('failed'),
      eb.fn.max('processed_at').filterWhere('outcome', '=', 'failed').as('last_failed_at'),
      eb.fn.max('processed_at').filterWhere('outcome', '=', 'applied').as('last_applied_at'),
    ])
    .where('company_id', '=', companyId)
    .where('outcome', 'in', ['failed', 'applied'])
    .where('processed_at', '>=', since)
    .executeTakeFirst();
  const failed = Number(counts?.failed ?? 0);
  const last =
    failed > 0
      ? await db
          .selectFrom('webhook_deliveries')
          .select('outcome_reason')
          .where('company_id', '=', companyId)
          .where('outcome', '=', 'failed')
          .where('processed_at', '>=', since)
          .orderBy('processed_at', 'desc')
          .limit(1)
          .executeTakeFirst()
      : undefined;
  return {
    failed,
    lastFailedAt: counts?.last_failed_at ? new Date(counts.last_failed_at) : null,
    lastFailureReason: last?.outcome_reason ?? null,
    lastAppliedAt: counts?.last_applied_at ? new Date(counts.last_applied_at) : null,
  };
}
