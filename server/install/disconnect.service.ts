import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { findCompany, markDisconnected } from './companies.repository';
import type { ConnectGateway } from './connect.gateway';

/**
 * Disconnect keeps the company's workers and logs; it revokes our Procore tokens, removes our
 * webhook hook, and stops the company's pending sync runs (issue: "Disconnect").
 */
export async function disconnectCompany(
  deps: { db: Kysely<Database>; gateway: ConnectGateway; log: FastifyBaseLogger },
  companyId: string,
  reason: string,
): Promise<void> {
  const company = await findCompany(deps.db, companyId);
  if (company?.connection_state !== 'connected') return;
  if (company.webhook_hook_id) {
    await deps.gateway.deleteWebhook(companyId, company.webhook_hook_id).catch((err: unknown) => {
      // The hook may already be gone (the app was uninstalled): nothing more to remove.
      deps.log.warn({ err, companyId }, 'could not delete the webhook hook while disconnecting');
    });
  }
  await deps.gateway.forgetTokens(companyId).catch((err: unknown) => {
    deps.log.warn({ err, companyId }, 'could not revoke every token while disconnecting');
  });
  await stopCompanyWork(deps.db, companyId, reason);
  await markDisconnected(deps.db, companyId, reason);
}

/**
 * Procore answered 403 "App is not connected to this company" (procore-api.md §1.4): the app was
 * uninstalled. The company is marked disconnected the same way, without calling Procore again.
 */
export async function markUninstalled(db: Kysely<Database>, companyId: string): Promise<void> {
  const reason =
    'Worker Sync was uninstalled from this company in Procore. A company admin can connect it again.';
  await stopCompanyWork(db, companyId, reason);
  await markDisconnected(db, companyId, reason);
  await db.deleteFrom('procore_tokens').where('company_id', '=', companyId).execute();
}

async function stopCompanyWork(db: Kysely<Database>, companyId: string, reason: string): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ status: 'canceled', status_reason: reason, finished_at: new Date() })
    .where('company_id', '=', companyId)
    .where('status', 'in', ['queued', 'running', 'needs_review'])
    .execute();
}
