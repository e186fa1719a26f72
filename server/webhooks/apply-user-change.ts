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
import { applyWebhookUser, classificationLoader, loadSyncCompany } from '../sync/sync.service';
import { findWorkerNameByProcoreUser } from '../workers/workers.service';
import {
  claimUserRead,
  latestDeliveryAuthor,
  settleDeliveries,
  waitingDeliveryIds,
} from './deliveries.repository';

/**
 * Flow 4's second half (design.md): read the user's *current* state from Procore and apply it with
 * the sync's own code (`applyWebhookUser`: the sync's rules and its mass-deactivation safeguard),
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

/**
 * Throws only for what a retry may fix (Procore unavailable or rate limited, a database error);
 * `finalAttempt` settles the deliveries as failed first, since no retry follows.
 */
export async function applyUserChange(
  deps: WebhookApplyDeps,
  companyId: string,
  userId: string,
  opts: { finalAttempt: boolean } = { finalAttempt: true },
): Promise<ApplyUserOutcome> {
  const { db } = deps;
  const { now } = deps;
  const waiting = await waitingDeliveryIds(db, companyId, userId);
  const settle = (outcome: 'applied' | 'dropped' | 'ignored' | 'failed', why: string | null) =>
    settleDeliveries(db, companyId, waiting, { outcome, reason: why, at: now() });

  const company = await loadSyncCompany(db, companyId);
  if (company?.connection_state !== 'connected') {
    await settle('dropped', 'The company is not connected.');
    return 'dropped';
  }
  if (!company.user_sync_enabled) {
    await settle('ignored', 'User sync is turned off for this company.');
    return 'ignored';
  }

  // Wall clock, not `now`: it orders reads across processes (webhook_user_reads).
  const readAt = new Date();
  let user: SyncUser | null;
  let names: Map<string, string> | null = null;
  let directory: UserDirectory;
  try {
    directory = await deps.directoryFor({ id: company.id, name: company.name });
    user = await directory.user(userId);
    if (user) names = await classificationLoader(db, directory, company, false)([user]);
  } catch (err) {
    if (await deps.companies.noteProcoreFailure(companyId, err)) {
      await settle('dropped', 'Worker Sync was uninstalled from this company in Procore.');
      return 'dropped';
    }
    if (!classifyFailure(err).retryable || opts.finalAttempt) {
      deps.log.warn({ err, companyId, userId }, 'webhook change could not be read from Procore');
      await settle('failed', runFailureReason(err));
      return 'failed';
    }
    throw err;
  }

  const author = await changeAuthor(deps, directory, companyId, waiting, user);

  try {
    const applied = await db.transaction().execute(async (trx) => {
      if (!(await claimUserRead(trx, companyId, userId, readAt))) return false;
      const at = now();
      // A deactivation counts against the safeguard's rolling window and may be held for review.
      const entries = await applyWebhookUser(trx, company, names, userId, user, at);
      // An unchanged user is not news in an hourly log of changes; everything else is recorded.
      await recordBucketEntries(
        trx,
        companyId,
        entries
          .filter((e) => e.action !== 'unchanged')
          .map((e) => (author && e.procoreUserId === userId ? { ...e, changedBy: author } : e)),
        at,
      );
      await settleDeliveries(trx, companyId, waiting, { outcome: 'applied', reason: null, at });
      return true;
    });
    if (!applied) {
      await settle('applied', 'A later read of this user from Procore was applied.');
      return 'superseded';
    }
    return 'applied';
  } catch (err) {
    if (!opts.finalAttempt) throw err;
    deps.log.error({ err, companyId, userId }, 'webhook change could not be saved');
    await settle('failed', reason('internal_error').text).catch(() => {});
    return 'failed';
  }
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
 * Who made the change in Procore: the deliveries' `user_id`, named after the worker linked to
 * that user, else after Procore's record of them. A name that cannot be had leaves the id alone;
 * it never holds the change back.
 */
async function changeAuthor(
  deps: WebhookApplyDeps,
  directory: UserDirectory,
  companyId: string,
  deliveryIds: readonly string[],
  changed: SyncUser | null,
): Promise<{ procoreUserId: string; name: string | null } | null> {
  try {
    const authorId = await latestDeliveryAuthor(deps.db, companyId, deliveryIds);
    if (!authorId) return null;
    if (changed && changed.id === authorId) return { procoreUserId: authorId, name: displayName(changed) };
    const known = await findWorkerNameByProcoreUser(deps.db, companyId, authorId);
    if (known) return { procoreUserId: authorId, name: known };
    return { procoreUserId: authorId, name: await procoreAuthorName(deps, directory, companyId, authorId) };
  } catch (err) {
    deps.log.debug({ err, companyId }, 'the author of a webhook change could not be named');
    return null;
  }
}
