import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CompaniesService } from '../companies/companies.service';
import type { DatabaseHandle } from '../db/connect';
import type { Database } from '../db/database';
import { classifyFailure, runFailureReason } from '../procore/failure-policy';
import { recordBucketEntries } from '../runs/runs.service';
import type { DirectoryFactory, UserDirectory } from '../sync/directory';
import { displayName, type SyncUser } from '../sync/procore-user';
import { reason } from '../sync/reasons';
import { applyWebhookUsers, classificationLoader, loadSyncCompany } from '../sync/sync.service';
import { findWorkerNameByProcoreUser } from '../workers/workers.service';
import {
  claimUserReads,
  latestDeliveryAuthors,
  settleDeliveries,
  waitingDeliveryIds,
} from './deliveries.repository';

/**
 * Flow 4's second half (design.md): read the user's *current* state from Procore and apply it with
 * the sync's own code (`applyWebhookUsers`: the sync's rules and its mass-deactivation safeguard),
 * so a late, repeated or out-of-order delivery is harmless — the delivery only says "look at this
 * user again" (procore-api.md §6.3: at least once, no order). A 404 deactivates the worker (the
 * user left the directory, §8), through the same safeguard.
 */
export interface WebhookApplyDeps {
  db: Kysely<Database>;
  database: Pick<DatabaseHandle, 'kind'>;
  companies: Pick<CompaniesService, 'noteProcoreFailure'>;
  directoryFor: DirectoryFactory;
  /** Clock for run bookkeeping (tests compress time). */
  now: () => Date;
  log: FastifyBaseLogger;
}

export type ApplyUserOutcome = 'applied' | 'superseded' | 'dropped' | 'ignored' | 'failed';

/** One user's change in a batch: `finalAttempt` when no retry follows if this one fails. */
export interface UserChangeRequest {
  userId: string;
  finalAttempt: boolean;
}

/** What became of a user's change: an outcome, or the error its job is to be retried with. */
export type UserChangeResult = { outcome: ApplyUserOutcome } | { retry: unknown };

/** Procore reads of one batch in flight at once (the pacer still spaces them by Procore's limits). */
const READ_CONCURRENCY = 8;

/**
 * One user's change, as a job of its own (tests, the single-job path): throws only for what a
 * retry may fix (Procore unavailable or rate limited, a database error); `finalAttempt` settles
 * the deliveries as failed first, since no retry follows.
 */
export async function applyUserChange(
  deps: WebhookApplyDeps,
  companyId: string,
  userId: string,
  opts: { finalAttempt: boolean } = { finalAttempt: true },
): Promise<ApplyUserOutcome> {
  const result = (await applyUserChanges(deps, companyId, [{ userId, ...opts }])).get(userId);
  if (!result) throw new Error(`no result for user ${userId}`);
  if ('retry' in result) throw result.retry;
  return result.outcome;
}

/**
 * A batch of one company's user changes (a burst of deliveries): one Procore read per user, then
 * one transaction for all of them (`applyWebhookUsers`, the sync's page path), so a burst costs a
 * few statements per batch rather than a transaction per user. A user whose read fails is retried
 * or failed on its own; if the batch's transaction fails, each user is applied alone so one bad
 * row does not hold the others back.
 */
export async function applyUserChanges(
  deps: WebhookApplyDeps,
  companyId: string,
  requests: readonly UserChangeRequest[],
): Promise<Map<string, UserChangeResult>> {
  const { db, now } = deps;
  // A user's waiting job and the retry of an earlier one may share a batch: one read serves both.
  const final = new Map<string, boolean>();
  for (const r of requests) final.set(r.userId, (final.get(r.userId) ?? true) && r.finalAttempt);
  const userIds = [...final.keys()];
  const results = new Map<string, UserChangeResult>();
  const waiting = await waitingDeliveryIds(db, companyId, userIds);
  const deliveriesOf = (users: Iterable<string>) => [...users].flatMap((u) => waiting.get(u) ?? []);
  const settle = (
    users: Iterable<string>,
    outcome: 'applied' | 'dropped' | 'ignored' | 'failed',
    why: string | null,
  ) => settleDeliveries(db, companyId, deliveriesOf(users), { outcome, reason: why, at: now() });
  const finish = async (users: readonly string[], outcome: 'dropped' | 'ignored', why: string) => {
    await settle(users, outcome, why);
    for (const u of users) results.set(u, { outcome });
    return results;
  };

  const company = await loadSyncCompany(db, companyId);
  if (company?.connection_state !== 'connected')
    return finish(userIds, 'dropped', 'The company is not connected.');
  if (!company.user_sync_enabled)
    return finish(userIds, 'ignored', 'User sync is turned off for this company.');

  // Wall clock, not `now`: it orders reads across processes (webhook_user_reads).
  const readAt = new Date();
  const reads = new Map<string, SyncUser | null>();
  const failures = new Map<string, unknown>();
  let directory: UserDirectory | null = null;
  let names: Map<string, string> | null = null;
  try {
    directory = await deps.directoryFor({ id: company.id, name: company.name });
  } catch (err) {
    for (const u of userIds) failures.set(u, err);
  }
  if (directory) {
    const from = directory;
    await forEachAtMost(READ_CONCURRENCY, userIds, async (userId) => {
      try {
        reads.set(userId, await from.user(userId));
      } catch (err) {
        failures.set(userId, err);
      }
    });
    const found = [...reads.values()].flatMap((u) => (u ? [u] : []));
    try {
      if (found.length > 0) names = await classificationLoader(db, from, company, false)(found);
    } catch (err) {
      for (const u of reads.keys()) failures.set(u, err);
      reads.clear();
    }
  }

  for (const err of new Set(failures.values())) {
    if (await deps.companies.noteProcoreFailure(companyId, err)) {
      return finish(userIds, 'dropped', 'Worker Sync was uninstalled from this company in Procore.');
    }
  }
  for (const [userId, err] of failures) {
    if (classifyFailure(err).retryable && !final.get(userId)) {
      results.set(userId, { retry: err });
      continue;
    }
    deps.log.warn({ err, companyId, userId }, 'webhook change could not be read from Procore');
    await settle([userId], 'failed', runFailureReason(err));
    results.set(userId, { outcome: 'failed' });
  }
  if (!directory || reads.size === 0) return results;

  const authors = await changeAuthors(deps, directory, companyId, deliveriesOf(reads.keys()), reads);
  const apply = async (users: readonly string[]) => {
    const claimed = await db.transaction().execute(async (trx) => {
      const claimed = await claimUserReads(trx, companyId, users, readAt);
      if (claimed.size === 0) return claimed;
      const at = now();
      // A deactivation counts against the safeguard's rolling window and may be held for review.
      const entries = await applyWebhookUsers(
        trx,
        company,
        names,
        users.filter((u) => claimed.has(u)).map((u) => ({ userId: u, user: reads.get(u) ?? null })),
        at,
      );
      // An unchanged user is not news in an hourly log of changes; everything else is recorded.
      await recordBucketEntries(
        trx,
        companyId,
        entries
          .filter(({ entry }) => entry.action !== 'unchanged')
          .map(({ entry, cause }) => {
            const author = cause ? authors.get(cause) : undefined;
            return author ? { ...entry, changedBy: author } : entry;
          }),
        at,
      );
      await settleDeliveries(trx, companyId, deliveriesOf(claimed), { outcome: 'applied', reason: null, at });
      return claimed;
    });
    const superseded = users.filter((u) => !claimed.has(u));
    if (superseded.length > 0)
      await settle(superseded, 'applied', 'A later read of this user from Procore was applied.');
    for (const u of users) results.set(u, { outcome: claimed.has(u) ? 'applied' : 'superseded' });
  };

  const read = [...reads.keys()];
  try {
    await apply(read);
    return results;
  } catch (err) {
    if (read.length === 1) return saveFailed(read[0]!, err);
    deps.log.warn(
      { err, companyId, users: read.length },
      'a batch of webhook changes failed; applying them one by one',
    );
  }
  for (const userId of read) {
    try {
      await apply([userId]);
    } catch (err) {
      await saveFailed(userId, err);
    }
  }
  return results;

  async function saveFailed(userId: string, err: unknown) {
    if (!final.get(userId)) {
      results.set(userId, { retry: err });
      return results;
    }
    deps.log.error({ err, companyId, userId }, 'webhook change could not be saved');
    await settle([userId], 'failed', reason('internal_error').text).catch(() => {});
    results.set(userId, { outcome: 'failed' });
    return results;
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function forEachAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Names read from Procore for authors who are no worker, kept a while per database so a burst of
 * changes by one admin costs one read of them, not one per change.
 */
const AUTHOR_NAME_TTL_MS = 10 * 60_000;
const authorNames = new WeakMap<Kysely<Database>, Map<string, { name: string; until: number }>>();

async function procoreAuthorName(
  deps: WebhookApplyDeps,
  directory: UserDirectory,
  companyId: string,
  authorId: string,
): Promise<string | null> {
  let names = authorNames.get(deps.db);
  if (!names) {
    names = new Map();
    authorNames.set(deps.db, names);
  }
  const key = `${companyId}:${authorId}`;
  const kept = names.get(key);
  if (kept && kept.until > Date.now()) return kept.name;
  const record = await directory.user(authorId).catch(() => null);
  if (!record) return null;
  if (names.size >= 1_000) names.clear();
  const name = displayName(record);
  names.set(key, { name, until: Date.now() + AUTHOR_NAME_TTL_MS });
  return name;
}

/**
 * Who made each change in Procore: the deliveries' `user_id`, named after the worker linked to
 * that user, else after Procore's record of them (the changed users read just now included). A
 * name that cannot be had leaves the id alone; it never holds a change back.
 */
async function changeAuthors(
  deps: WebhookApplyDeps,
  directory: UserDirectory,
  companyId: string,
  deliveryIds: readonly string[],
  read: ReadonlyMap<string, SyncUser | null>,
): Promise<Map<string, { procoreUserId: string; name: string | null }>> {
  const byUser = new Map<string, { procoreUserId: string; name: string | null }>();
  let authorOf: Map<string, string>;
  try {
    authorOf = await latestDeliveryAuthors(deps.db, companyId, deliveryIds);
  } catch (err) {
    deps.log.debug({ err, companyId }, 'the authors of webhook changes could not be read');
    return byUser;
  }
  const named = new Map<string, { procoreUserId: string; name: string | null }>();
  for (const authorId of new Set(authorOf.values())) {
    const changed = read.get(authorId);
    let name: string | null = null;
    try {
      name = changed
        ? displayName(changed)
        : ((await findWorkerNameByProcoreUser(deps.db, companyId, authorId)) ??
          (await procoreAuthorName(deps, directory, companyId, authorId)));
    } catch (err) {
      deps.log.debug({ err, companyId }, 'the author of a webhook change could not be named');
    }
    named.set(authorId, { procoreUserId: authorId, name });
  }
  for (const [userId, authorId] of authorOf) byUser.set(userId, named.get(authorId)!);
  return byUser;
}
