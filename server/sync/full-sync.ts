import type { Kysely } from 'kysely';
import type { Database, SyncStatus } from '../db/database';
import { EntryBatches, finishRun, type RunRow, setRunTotal, supersedeReviews } from '../runs/runs.service';
import {
  countSyncedActiveWorkers,
  listPositions,
  listUnseenLinkedWorkers,
  refreshWorkerStatistics,
} from '../workers/workers.service';
import { applyPage, type CompanySyncSettings, type PositionCache } from './apply-users';
import type { UserDirectory } from './directory';
import { readPhonesAhead } from './map-user';
import { type SyncUser, updatedAtOf } from './procore-user';
import { reason } from './reasons';
import { type DeferredDeactivation, settleSyncDeactivations } from './safeguard';
import type { CompanyForSync } from './sync-company';
import { recordSyncedThrough } from './sync-state.repository';

/**
 * One run over Procore's directory (design.md flows 3 and 5): active users page by page (all of
 * them, or those changed since the watermark), then inactive users; each page applied in its own
 * transaction. Deactivations wait until the end: if they pass the safeguard (safeguard.ts) they
 * are applied in one last transaction, otherwise the run stops as `needs_review` having
 * deactivated nobody.
 */

/** Procore's `updated_at` and ours may disagree a little, and a write may land just after a read. */
export const WATERMARK_OVERLAP_MS = 5 * 60_000;

export interface PagedSyncOptions {
  db: Kysely<Database>;
  directory: UserDirectory;
  company: CompanyForSync;
  run: RunRow;
  now: () => Date;
  signal?: AbortSignal;
}

/**
 * Reads the classification names once per run, and only when a user needs one: a full run reads
 * them so renamed classifications reach their positions; an incremental run only when a user has
 * a classification that is no position yet (an hourly run with nothing new stays cheap).
 */
export function classificationLoader(
  db: Kysely<Database>,
  directory: UserDirectory,
  company: CompanyForSync,
  full: boolean,
) {
  let names: Map<string, string> | null = null;
  let known: Set<string> | null = null;
  return async (users: readonly SyncUser[]): Promise<Map<string, string> | null> => {
    if (!company.sync_classifications || names) return names;
    const wanted = users
      .filter((u) => u.is_active && u.is_employee)
      .flatMap((u) => u.work_classification_id ?? []);
    if (wanted.length === 0) return null;
    if (!full) {
      known ??= new Set(
        (await listPositions(db, company.id)).flatMap((p) => p.procore_classification_id ?? []),
      );
      if (wanted.every((id) => known?.has(id))) return null;
    }
    names = new Map((await directory.classifications()).map((c) => [c.id, c.name]));
    return names;
  };
}

export function settingsOf(
  company: CompanyForSync,
  names: Map<string, string> | null,
  positionCache?: PositionCache,
): CompanySyncSettings {
  return {
    companyId: company.id,
    companyName: company.name,
    serviceAccountUserId: company.service_account_user_id,
    syncClassifications: company.sync_classifications,
    classificationNames: names,
    positionCache,
  };
}

export async function runPagedSync(opts: PagedSyncOptions): Promise<RunRow | undefined> {
  const { db, directory, company, run } = opts;
  const companyId = company.id;
  const full = run.mode === 'full' || !company.users_watermark;
  const since = full ? undefined : new Date(company.users_watermark!.getTime() - WATERMARK_OVERLAP_MS);
  const syncedBefore = await countSyncedActiveWorkers(db, companyId);
  const names = classificationLoader(db, directory, company, full);
  // Later pages reuse the positions earlier ones ensured instead of reading them per page; a page
  // that fails drops the cache, so a position deleted meanwhile costs one retry, not the run.
  const positionCache: PositionCache = { byClassification: new Map(), names: new Map() };
  const seen = new Set<string>();
  const deferred: DeferredDeactivation[] = [];
  const batches = new EntryBatches(companyId, run.id);
  let newest: Date | null = null;
  let people = 0;
  let failed = 0;
  // Workers the planner's statistics know of; refreshed whenever the run has more than doubled
  // them (1,000, 3,000, 7,000… on a first sync), so later pages' lookups use the indexes.
  let known = syncedBefore;
  let created = 0;

  const applyBatch = async (users: SyncUser[]) => {
    for (const u of users) {
      seen.add(u.id);
      const at = updatedAtOf(u);
      if (at && (!newest || at > newest)) newest = at;
    }
    const result = await applyPage(db, settingsOf(company, await names(users), positionCache), users, {
      runId: run.id,
      deferDeactivations: true,
      now: opts.now(),
      batches,
    });
    people += result.people;
    failed += result.counts.failed;
    deferred.push(...result.deferred);
    created += result.counts.created;
    if (syncedBefore + created >= 2 * known + 1000) {
      await refreshWorkerStatistics(db);
      known = syncedBefore + created;
    }
  };

  // The progress total (`of N`) only ever grows while the run works, and is the people the run
  // saw once it has read everything (see `RunTotal`).
  const total = new RunTotal(async (n) => setRunTotal(db, companyId, run.id, n));
  const active = directory.activeUsers({ updatedSince: since, signal: opts.signal })[Symbol.asyncIterator]();
  const inactive = directory.inactiveUsers({ signal: opts.signal })[Symbol.asyncIterator]();
  // The first page of each list is read before any is applied, so a full run knows both of
  // Procore's counts from its first second (the same requests as reading them in turn).
  let page = await active.next();
  const firstInactive = await inactive.next();
  const inactiveTotal = firstInactive.done ? 0 : firstInactive.value.total;
  const activeTotal = page.done ? 0 : page.value.total;
  if (full && activeTotal !== undefined && inactiveTotal !== undefined) {
    // Procore lists the app's own service account among the active users; it is nobody's worker.
    await total.estimate(activeTotal + inactiveTotal - (company.service_account_user_id ? 1 : 0), 0);
  } else if (!full && activeTotal !== undefined) {
    await total.estimate(activeTotal, 0);
  }
  while (!page.done) {
    // The next page's phones are read while this one's writes run (`readPhonesAhead`).
    const following = active.next();
    following.then((p) => (p.done ? undefined : readPhonesAhead(p.value.users))).catch(() => {});
    await applyBatch(page.value.users);
    await total.estimate(0, people);
    page = await following;
  }
  // The inactive list has no updated_at filter (§2.1): an incremental run keeps the recent ones.
  let recentInactive = 0;
  for (let p = firstInactive; !p.done; p = await inactive.next()) {
    const users = since ? p.value.users.filter((u) => (updatedAtOf(u) ?? since) >= since) : p.value.users;
    recentInactive += users.length;
    await applyBatch(users);
    await total.estimate(full ? 0 : (activeTotal ?? 0) + recentInactive, people);
  }
  await total.settle(people);
  await batches.storeRest(db, opts.now());

  if (full) deferred.push(...(await unseenDeactivations(db, company, seen)));

  const now = opts.now();
  let status: SyncStatus = failed > 0 ? 'partial' : 'succeeded';
  let why: string | null = failed > 0 ? `${failed} user${failed === 1 ? '' : 's'} could not be saved` : null;
  const settled = await settleSyncDeactivations(db, companyId, run.id, deferred, syncedBefore, now);
  if (settled.hold) {
    status = 'needs_review';
    why =
      `Would deactivate ${settled.count} of ${syncedBefore} synced workers ` +
      `(${Math.round((100 * settled.count) / Math.max(syncedBefore, 1))}%). Nobody was deactivated: ` +
      'an admin must confirm or cancel.';
  }
  await recordSyncedThrough(db, companyId, { watermark: newest, fullSyncAt: full ? now : null });
  const finished = await finishRun(db, companyId, run.id, { status, reason: why, now });
  if (status === 'needs_review' && finished) await supersedeReviews(db, companyId, finished, now);
  return finished;
}

/**
 * The progress total of a run: Procore's own counts of the lists it reads, known from the first
 * pages (less the app's service account), raised whenever the run has seen more people than that
 * (users added in Procore during the run), never lowered while it works; once it has read
 * everything, exactly the people it saw, so a finished run's `seen of total` and its counts agree.
 */
class RunTotal {
  private shown: number | null = null;
  private expected = 0;
  constructor(private readonly write: (n: number) => Promise<void>) {}

  /** `expected`: Procore's count so far (0 keeps the last); `seen`: the people applied so far. */
  async estimate(expected: number, seen: number): Promise<void> {
    this.expected = Math.max(this.expected, expected);
    const next = Math.max(this.shown ?? 0, this.expected, seen);
    if (next !== this.shown && next > 0) {
      this.shown = next;
      await this.write(next);
    }
  }

  async settle(seen: number): Promise<void> {
    if (seen !== this.shown) {
      this.shown = seen;
      await this.write(seen);
    }
  }
}

/** Full reconcile (and its preview): linked workers whose user is in neither list any more. */
export async function unseenDeactivations(
  db: Kysely<Database>,
  company: CompanyForSync,
  seen: Set<string>,
): Promise<DeferredDeactivation[]> {
  const why = reason('not_in_directory', { companyName: company.name });
  const workers = await listUnseenLinkedWorkers(db, company.id, seen);
  return workers.map((w) => ({
    workerId: w.id,
    reasonText: why.text,
    procoreUpdatedAt: null,
    entry: {
      procoreUserId: w.procore_user_id!,
      workerId: w.id,
      name: `${w.first_name} ${w.last_name}`.trim(),
      email: w.email,
      action: 'deactivated' as const,
      reasonCode: why.code,
      reason: why.text,
      changes: [{ field: 'active', from: 'yes', to: 'no' }],
      warnings: [],
    },
  }));
}
