import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { notFound } from '../errors';
import type { EntryDraft, RunCounts } from '../runs/runs.service';
import { countSyncedActiveWorkers } from '../workers/workers.service';
import { applyUsers } from './apply-users';
import type { DirectoryFactory } from './directory';
import { classificationLoader, settingsOf, unseenDeactivations } from './full-sync';
import type { SyncUser } from './procore-user';
import { safeguardTrips, sortOutDeactivations } from './safeguard';
import { loadSyncCompany } from './sync-company';

/**
 * Preview: what a full sync would do, with the same decisions as a real one, because
 * it *is* the real apply path run inside a transaction that is rolled back. Procore is read first
 * so no network wait happens inside that transaction.
 */
export interface PreviewResult {
  counts: RunCounts;
  total: number;
  /** Every entry except `unchanged` ones, at most `limit`. */
  entries: EntryDraft[];
  truncated: boolean;
  safeguard: { wouldStop: boolean; deactivations: number; syncedWorkers: number };
}

class Rollback extends Error {}

export async function previewSync(
  deps: { db: Kysely<Database>; directoryFor: DirectoryFactory; now?: () => Date },
  companyId: string,
  limit = 5000,
): Promise<PreviewResult> {
  const company = await loadSyncCompany(deps.db, companyId);
  if (!company) throw notFound('Company');
  const directory = await deps.directoryFor({ id: company.id, name: company.name });
  const users: SyncUser[] = [];
  for await (const page of directory.activeUsers()) users.push(...page.users);
  for await (const page of directory.inactiveUsers()) users.push(...page.users);
  const names = await classificationLoader(deps.db, directory, company, true)(users);
  const now = deps.now?.() ?? new Date();

  let result: PreviewResult | undefined;
  await deps.db
    .transaction()
    .execute(async (trx) => {
      const syncedWorkers = await countSyncedActiveWorkers(trx, companyId);
      const applied = await applyUsers(trx, settingsOf(company, names), users, {
        runId: null,
        deferDeactivations: true,
        now,
      });
      const seen = new Set(users.map((u) => u.id));
      const { proceed, left } = await sortOutDeactivations(trx, companyId, [
        ...applied.deferred,
        ...(await unseenDeactivations(trx, company, seen)),
      ]);
      const deactivations = proceed.length;
      const wouldStop = safeguardTrips(deactivations, syncedWorkers);
      const action: 'would_deactivate' | 'deactivated' = wouldStop ? 'would_deactivate' : 'deactivated';
      const entries: EntryDraft[] = [
        ...applied.entries,
        ...left,
        ...proceed.map((d) => ({ ...d.entry, action })),
      ];
      const counts = { ...applied.counts };
      counts[action] += deactivations;
      counts.unchanged += left.length;
      const shown = entries.filter((e) => e.action !== 'unchanged');
      result = {
        counts,
        total: users.length,
        entries: shown.slice(0, limit),
        truncated: shown.length > limit,
        safeguard: { wouldStop, deactivations, syncedWorkers },
      };
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  if (!result) throw new Error('preview produced no result');
  return result;
}

/**
 * One preview at a time per company: whoever asks while one is being made gets that one, so many
 * people pressing Preview read Procore's directory once. Once it is answered (or has failed), the
 * next ask makes a new one: an answer is never kept.
 */
export function onePreviewAtATime<T>(
  make: (companyId: string) => Promise<T>,
): (companyId: string) => Promise<T> {
  const making = new Map<string, Promise<T>>();
  return (companyId) => {
    let preview = making.get(companyId);
    if (!preview) {
      preview = make(companyId).finally(() => making.delete(companyId));
      making.set(companyId, preview);
    }
    return preview;
  };
}
