import type { FastifyBaseLogger } from 'fastify';
import type { CompaniesService } from '../companies/companies.service';
import type { HooksService } from '../webhooks/hooks.service';
import type { ConnectGateway } from './connect.gateway';

/**
 * Disconnect keeps the company's workers and logs; it revokes our Procore tokens, removes our
 * webhook hook, and stops the company's pending runs.
 */
export async function disconnectCompany(
  deps: {
    gateway: Pick<ConnectGateway, 'forgetTokens'>;
    companies: Pick<CompaniesService, 'find' | 'markDisconnected'>;
    hooks: Pick<HooksService, 'remove'>;
    log: FastifyBaseLogger;
  },
  companyId: string,
  reason: string,
): Promise<void> {
  const company = await deps.companies.find(companyId);
  if (company?.connection_state !== 'connected') return;
  if (company.webhook_hook_id) {
    await deps.hooks.remove(companyId, company.webhook_hook_id).catch((err: unknown) => {
      // The hook may already be gone (the app was uninstalled): nothing more to remove.
      deps.log.warn({ err, companyId }, 'could not delete the webhook hook while disconnecting');
    });
  }
  await deps.gateway.forgetTokens(companyId).catch((err: unknown) => {
    deps.log.warn({ err, companyId }, 'could not revoke every token while disconnecting');
  });
  await deps.companies.markDisconnected(companyId, reason);
}
