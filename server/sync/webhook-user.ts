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

/**
 * One Procore user's current state, as a webhook's job read it (null: Procore answered 404),
 * applied with the sync's own rules in the caller's transaction. A deactivation goes through the
 * safeguard's rolling window (safeguard.ts); everything else applies at once. Answers the entries
 * for the hour's webhook log.
 */
export async function applyWebhookUser(
  trx: Transaction<Database>,
  company: CompanyForSync,
  classificationNames: Map<string, string> | null,
  userId: string,
  user: SyncUser | null,
  at: Date,
): Promise<EntryDraft[]> {
  if (!user) {
    const missing = await missingUser(trx, company, userId);
    return missing ? settleWebhookDeactivations(trx, company.id, [missing], at) : [];
  }
  const applied = await applyUsers(trx, settingsOf(company, classificationNames), [user], {
    runId: null,
    deferDeactivations: true,
    now: at,
  });
  return [...applied.entries, ...(await settleWebhookDeactivations(trx, company.id, applied.deferred, at))];
}

/** Procore answered 404: the user left the company's directory (§8), so the worker is to go. */
async function missingUser(
  trx: Transaction<Database>,
  company: CompanyForSync,
  userId: string,
): Promise<DeferredDeactivation | null> {
  const [worker] = (
    await findWorkersForUsers(trx, company.id, { procoreUserIds: [userId], emails: [], phones: [] })
  ).filter((w) => w.procoreUserId === userId && w.active && w.id);
  if (!worker?.id) return null;
  const why = reason('not_in_directory', { companyName: company.name });
  return {
    workerId: worker.id,
    reasonText: why.text,
    procoreUpdatedAt: null,
    entry: {
      procoreUserId: userId,
      workerId: worker.id,
      name: `${worker.firstName} ${worker.lastName}`.trim(),
      email: worker.email,
      action: 'deactivated',
      reasonCode: why.code,
      reason: why.text,
      changes: [{ field: 'active', from: 'yes', to: 'no' }],
      warnings: [],
    },
  };
}
