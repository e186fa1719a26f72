import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { Jobs } from '../jobs/jobs';
import { listWaitingUsers } from './deliveries.repository';
import { userChangeKey, webhookUserChangeJob } from './webhook-user-change.job';

/** What other folders may ask of `webhook_deliveries`. */
export { deliveryHealth, purgeSettledDeliveries } from './deliveries.repository';

/**
 * At start: every delivery still `queued` gets its job again. A delivery accepted just before a
 * crash has its job active in the dead process (pg-boss would only retry it when it expires); a
 * user whose job is still waiting is not queued twice (the queue keeps one waiting job per user).
 */
export async function requeueWaitingDeliveries(deps: { db: Kysely<Database>; jobs: Jobs }): Promise<number> {
  let queued = 0;
  for (const { company_id: companyId, resource_id: userId } of await listWaitingUsers(deps.db)) {
    if (!userId) continue;
    const id = await deps.jobs.send(
      webhookUserChangeJob,
      { companyId, userId },
      { singletonKey: userChangeKey(companyId, userId) },
    );
    if (id) queued++;
  }
  return queued;
}

/**
 * Deliveries waiting longer than `olderThanMs` whose user has no job at all (waiting, retrying or
 * running) get one: on PostgreSQL a delivery is stored before its job is queued, and a process
 * that died in between left it without one. A user whose job is backing off is left to it.
 */
export async function requeueOrphanedDeliveries(
  deps: { db: Kysely<Database>; jobs: Jobs },
  olderThanMs: number,
  now = new Date(),
): Promise<number> {
  const waiting = (await listWaitingUsers(deps.db, new Date(now.getTime() - olderThanMs))).flatMap((r) =>
    r.resource_id ? [{ companyId: r.company_id, userId: r.resource_id }] : [],
  );
  const live = await deps.jobs.liveKeys(
    webhookUserChangeJob,
    waiting.map((w) => userChangeKey(w.companyId, w.userId)),
  );
  let queued = 0;
  for (const w of waiting) {
    const key = userChangeKey(w.companyId, w.userId);
    if (live.has(key)) continue;
    if (await deps.jobs.send(webhookUserChangeJob, w, { singletonKey: key })) queued++;
  }
  return queued;
}
