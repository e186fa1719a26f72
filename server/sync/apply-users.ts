import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database';
import { mapInSlices } from '../event-loop';
import {
  countEntry,
  type EntryBatches,
  type EntryDraft,
  type RunCounts,
  recordEntries,
  zeroCounts,
} from '../runs/runs.service';
import {
  deactivateWorkers,
  ensureClassificationPositions,
  findWorkersForUsers,
  linkWorker,
  type SyncedWorkerRow,
  upsertSyncedWorkers,
} from '../workers/workers.service';
import { type Decision, decideUser } from './decide';
import { mapUser } from './map-user';
import { displayName, type SyncUser, updatedAtOf } from './procore-user';
import { reason } from './reasons';
import { type DeferredDeactivation, releaseUsers, usersToRelease } from './safeguard';
import { WorkerIndex } from './worker-index';

/**
 * The one code path that turns Procore users into workers: manual and hourly runs call it per
 * page, the preview calls it inside a transaction it rolls back, and webhooks call it with one
 * user (`applyPage(db, settings, [user], …)`). Decisions come from `decide.ts`; this file loads
 * what they need and writes them in batches, entries and run counters in the same transaction.
 */

export interface CompanySyncSettings {
  companyId: string;
  companyName: string;
  serviceAccountUserId: string | null;
  syncClassifications: boolean;
  /** Procore classification id → name, when the caller fetched them (procore-api.md §3). */
  classificationNames: ReadonlyMap<string, string> | null;
  /**
   * Positions already ensured by an earlier page of the same run. A page whose classifications
   * are all in it reads no positions at all; one that meets a new classification ensures
   * positions again and refreshes it. Omitted: every batch reads them (webhooks, preview).
   */
  positionCache?: PositionCache;
}

export interface PositionCache {
  byClassification: Map<string, string>;
  /** Every position's name (a change's "from" may name one no classification maps to). */
  names: Map<string, string>;
  /** Filled by a committed batch; until then there is nothing to trust. */
  loaded?: boolean;
}

export interface ApplyOptions {
  /** The run that gets entries and counters; null for a preview (nothing recorded). */
  runId: string | null;
  /** Safeguard: deactivations are returned instead of written (safeguard.ts decides later). */
  deferDeactivations: boolean;
  now: Date;
  /** A manual or hourly run's entries that change nothing, batched across its pages. */
  batches?: EntryBatches;
}

export interface ApplyResult {
  entries: EntryDraft[];
  /** The people of the batch: every user but the app's own service account. */
  people: number;
  counts: RunCounts;
  deferred: DeferredDeactivation[];
  /** The positions the batch knew (with Sync Classifications on). */
  positions?: PositionCache;
}

/** Applies a batch in the caller's transaction. */
export async function applyUsers(
  trx: Transaction<Database>,
  settings: CompanySyncSettings,
  batch: readonly SyncUser[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  const users = [...new Map(batch.map((u) => [u.id, u])).values()];
  const { companyId } = settings;

  // Each user is mapped once (its phone parsed once): the lookups below and the decision use it.
  const mapped = await mapInSlices(users, mapUser);
  // First the workers linked to these users; then, by email and phone, only what the rules still
  // need: matches for a user with no worker yet, and whoever holds the phone of a user whose
  // number changed or who comes back. An active worker that keeps its number needs no phone
  // lookup: the app never lets two active workers share one (`phone_in_use`, local workers'
  // `assertPhoneFree`), so a page where nothing changed reads its workers once.
  const linked = await findWorkersForUsers(trx, companyId, {
    procoreUserIds: users.map((u) => u.id),
    emails: [],
    phones: [],
  });
  const byUser = new Map(linked.map((w) => [w.procoreUserId, w]));
  const emails = new Set<string>();
  const phones = new Set<string>();
  for (const [i, m] of mapped.entries()) {
    if (!m.ok) continue;
    const worker = byUser.get(users[i]!.id);
    if (!worker) {
      emails.add(m.worker.email);
      phones.add(m.worker.phone);
    } else if (worker.phone !== m.worker.phone || !worker.active) phones.add(m.worker.phone);
  }
  const others =
    emails.size + phones.size > 0
      ? await findWorkersForUsers(trx, companyId, {
          procoreUserIds: [],
          emails: [...emails],
          phones: [...phones],
        })
      : [];
  const linkedIds = new Set(linked.map((w) => w.id));
  const index = new WorkerIndex([...linked, ...others.filter((w) => !linkedIds.has(w.id))]);

  let positions: PositionCache = { byClassification: new Map(), names: new Map() };
  if (settings.syncClassifications) {
    const wanted = new Map<string, string | undefined>();
    for (const u of users) {
      if (u.is_active && u.is_employee && u.work_classification_id) {
        wanted.set(u.work_classification_id, settings.classificationNames?.get(u.work_classification_id));
      }
    }
    const cache = settings.positionCache;
    if (cache?.loaded && [...wanted.keys()].every((id) => cache.byClassification.has(id))) {
      positions = cache;
    } else {
      positions = await ensureClassificationPositions(
        trx,
        companyId,
        [...wanted].map(([classificationId, name]) => ({ classificationId, name })),
      );
    }
  }

  const decisions: Decision[] = await mapInSlices(users, (user, i) =>
    decideUser(
      user,
      {
        companyName: settings.companyName,
        serviceAccountUserId: settings.serviceAccountUserId,
        syncClassifications: settings.syncClassifications,
        positionFor: (id) => positions.byClassification.get(id),
        positionName: (id) => (id ? (positions.names.get(id) ?? null) : null),
      },
      index,
      mapped[i],
    ),
  );

  // Users held for review or cancelled there who are active in Procore again (safeguard.ts).
  const release = await usersToRelease(
    trx,
    companyId,
    users.flatMap((u, i) =>
      decisions[i]?.kind !== 'deactivate' &&
      decisions[i]?.kind !== 'ignore' &&
      u.is_active === true &&
      u.is_employee === true
        ? [{ id: u.id, updatedAt: updatedAtOf(u) }]
        : [],
    ),
  );
  await writeDecisions(trx, settings, decisions, options);
  if (release.length > 0) await releaseUsers(trx, companyId, release, options.now);

  const deferred: DeferredDeactivation[] = [];
  const entries: EntryDraft[] = [];
  const counts = zeroCounts();
  let people = 0;
  for (const [i, d] of decisions.entries()) {
    if (d.kind === 'ignore') continue;
    people++;
    if (d.kind === 'deactivate' && options.deferDeactivations && d.worker.id) {
      deferred.push({
        workerId: d.worker.id,
        reasonText: d.reasonText,
        procoreUpdatedAt: updatedAtOf(users[i]!),
        entry: d.entry,
      });
      continue;
    }
    entries.push(d.entry);
    countEntry(counts, d.entry);
  }
  if (options.runId) {
    const listed = options.batches ? await options.batches.take(trx, entries, options.now) : entries;
    await recordEntries(trx, companyId, options.runId, listed, { seen: people, now: options.now });
  }
  return {
    entries,
    counts,
    deferred,
    people,
    positions: settings.syncClassifications ? positions : undefined,
  };
}

/**
 * Keeps what a committed batch ensured for the run's next pages. Only after the commit: positions
 * a rolled-back transaction created do not exist.
 */
function remember(settings: CompanySyncSettings, result: ApplyResult): ApplyResult {
  const cache = settings.positionCache;
  if (cache && result.positions && result.positions !== cache) {
    cache.byClassification.clear();
    cache.names.clear();
    for (const [k, v] of result.positions.byClassification) cache.byClassification.set(k, v);
    for (const [k, v] of result.positions.names) cache.names.set(k, v);
    cache.loaded = true;
  }
  return result;
}

async function writeDecisions(
  trx: Transaction<Database>,
  settings: CompanySyncSettings,
  decisions: Decision[],
  options: ApplyOptions,
): Promise<void> {
  const { companyId } = settings;
  const write = { syncClassifications: settings.syncClassifications, now: options.now };
  const upserts: Array<SyncedWorkerRow & { entry: EntryDraft }> = [];
  const deactivations = new Map<string, string[]>();
  for (const d of decisions) {
    if (d.kind === 'create' || (d.kind === 'update' && !d.link)) {
      upserts.push({ procoreUserId: d.entry.procoreUserId, fields: d.fields, entry: d.entry });
    } else if (d.kind === 'update' && d.worker.id) {
      await linkWorker(
        trx,
        companyId,
        d.worker.id,
        { procoreUserId: d.entry.procoreUserId, fields: d.fields },
        write,
      );
    } else if (d.kind === 'deactivate' && d.worker.id && !options.deferDeactivations) {
      deactivations.set(d.reasonText, [...(deactivations.get(d.reasonText) ?? []), d.worker.id]);
    }
  }
  const ids = await upsertSyncedWorkers(trx, companyId, upserts, write);
  for (const u of upserts) u.entry.workerId = ids.get(u.procoreUserId) ?? u.entry.workerId;
  for (const [why, workerIds] of deactivations) {
    await deactivateWorkers(trx, companyId, workerIds, why, options.now);
  }
}

/**
 * A page in one transaction; if that transaction fails, each user is retried alone so one bad
 * row costs one `failed` entry rather than the page (the run then ends `partial`).
 */
export async function applyPage(
  db: Kysely<Database>,
  settings: CompanySyncSettings,
  users: readonly SyncUser[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  // What the run keeps of a transaction (positions, batched entries) is kept once it commits.
  const attempt = async (batch: readonly SyncUser[]) => {
    try {
      const result = await db.transaction().execute((trx) => applyUsers(trx, settings, batch, options));
      options.batches?.committed();
      return remember(settings, result);
    } catch (error) {
      options.batches?.rolledBack();
      throw error;
    }
  };
  try {
    return await attempt(users);
  } catch (pageError) {
    // Whatever failed may have been a position the cache still names (deleted meanwhile).
    if (settings.positionCache) settings.positionCache.loaded = false;
    if (users.length <= 1 && !options.runId) throw pageError;
    const total: ApplyResult = { entries: [], people: 0, counts: zeroCounts(), deferred: [] };
    for (const user of users) {
      let result: ApplyResult;
      try {
        result = await attempt([user]);
      } catch {
        result = await recordFailure(db, settings, user, options);
      }
      total.entries.push(...result.entries);
      total.people += result.people;
      total.deferred.push(...result.deferred);
      for (const k of Object.keys(total.counts) as Array<keyof RunCounts>)
        total.counts[k] += result.counts[k];
    }
    return total;
  }
}

async function recordFailure(
  db: Kysely<Database>,
  settings: CompanySyncSettings,
  user: SyncUser,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const why = reason('internal_error');
  const entry: EntryDraft = {
    procoreUserId: user.id,
    workerId: null,
    name: displayName(user),
    email: user.email_address,
    action: 'failed',
    reasonCode: why.code,
    reason: why.text,
    changes: [],
    warnings: [],
  };
  const counts = zeroCounts();
  counts.failed = 1;
  const runId = options.runId;
  if (runId) {
    await db
      .transaction()
      .execute((trx) =>
        recordEntries(trx, settings.companyId, runId, [entry], { seen: 1, now: options.now }),
      );
  }
  return { entries: [entry], people: 1, counts, deferred: [] };
}
