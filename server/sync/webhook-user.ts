import type { Transaction } from 'kysely';
import type { Database } from '../db/database';
import type { EntryDraft } from '../runs/runs.service';
import { findWorkersForUsers } from '../workers/workers.service';
import { applyUsers } from './apply-users';
import { settingsOf } from './full-sync';
import type { SyncUser } from './procore-user';
import { reason } from './reasons';
import { type DeferredDeactivation, settleWebhookDeactivations } from './safeguard';
import type { CompanyForSync } from './sync-company';

/** One Procore user as a webhook's job read it: null when Procore answered 404. */
export interface WebhookRead {
  userId: string;
  user: SyncUser | null;
}

/** An entry for the hour's webhook log, and the user whose change caused it (null: the safeguard's doing). */
export interface WebhookEntry {
  entry: EntryDraft;
  cause: string | null;
}

/**
 * Procore users' current states, as a batch of webhook jobs read them, applied with the sync's own
 * rules in the caller's transaction (`applyUsers`, as a sync's page). Deactivations go through the
 * safeguard's rolling window one at a time, in the order the users were read, exactly as if each
 * user's change had arrived alone (safeguard.ts); everything else applies at once. Answers the
 * entries for the hour's webhook log.
 */
export async function applyWebhookUsers(
  trx: Transaction<Database>,
  company: CompanyForSync,
  classificationNames: Map<string, string> | null,
  reads: readonly WebhookRead[],
  at: Date,
): Promise<WebhookEntry[]> {
  const order = new Map(reads.map((r, i) => [r.userId, i]));
  const present = reads.flatMap((r) => (r.user ? [r.user] : []));
  const applied =
    present.length > 0
      ? await applyUsers(trx, settingsOf(company, classificationNames), present, {
          runId: null,
          deferDeactivations: true,
          now: at,
        })
      : { entries: [], deferred: [] };
  const out: WebhookEntry[] = applied.entries.map((entry) => ({ entry, cause: entry.procoreUserId }));
  const missing = await missingUsers(
    trx,
    company,
    reads.flatMap((r) => (r.user ? [] : [r.userId])),
  );
  const deactivations = [...applied.deferred, ...missing].sort(
    (a, b) => (order.get(a.entry.procoreUserId) ?? 0) - (order.get(b.entry.procoreUserId) ?? 0),
  );
  for (const d of deactivations) {
    for (const entry of await settleWebhookDeactivations(trx, company.id, [d], at)) {
      out.push({ entry, cause: entry.procoreUserId === d.entry.procoreUserId ? entry.procoreUserId : null });
    }
  }
  return out;
}

/** Procore answered 404: these users left the company's directory (§8), so their workers are to go. */
async function missingUsers(
  trx: Transaction<Database>,
  company: CompanyForSync,
  userIds: readonly string[],
): Promise<DeferredDeactivation[]> {
  if (userIds.length === 0) return [];
  const wanted = new Set(userIds);
  const workers = (
    await findWorkersForUsers(trx, company.id, { procoreUserIds: [...userIds], emails: [], phones: [] })
  ).filter((w) => w.procoreUserId && wanted.has(w.procoreUserId) && w.active && w.id);
  const why = reason('not_in_directory', { companyName: company.name });
  return workers.map((worker) => ({
    workerId: worker.id!,
    reasonText: why.text,
    procoreUpdatedAt: null,
    entry: {
      procoreUserId: worker.procoreUserId!,
      workerId: worker.id!,
      name: `${worker.firstName} ${worker.lastName}`.trim(),
      email: worker.email,
      action: 'deactivated' as const,
      reasonCode: why.code,
      reason: why.text,
      changes: [{ field: 'active', from: 'yes', to: 'no' }],
      warnings: [],
    },
  }));
}
