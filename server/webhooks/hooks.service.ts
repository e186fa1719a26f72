import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { hashSecret } from '../auth/session';
import type { CompaniesService } from '../companies/companies.service';
import type { CompanySession } from '../procore/client';
import { isProcoreError } from '../procore/errors';

/**
 * The company's webhook hook in Procore (design.md flow 1; procore-api.md §6.1 v2.0 endpoints):
 * registered at connect with a fresh per-company secret in `destination_headers.Authorization`
 * (§6.4: the only documented way to authenticate deliveries; we keep its hash), checked and
 * repaired once an hour and when an admin signs in, and deleted at disconnect. Webhooks are
 * best-effort (§6.3): a hook can be deleted, disabled or lose a trigger without telling us.
 */
export const WEBHOOK_NAMESPACE = 'procore-worker-sync';
export const COMPANY_USERS_RESOURCE = 'Company Users';
const USER_EVENTS = ['create', 'update', 'delete'] as const;

export interface HooksDeps {
  companies: Pick<CompaniesService, 'find' | 'procoreFor' | 'setWebhook' | 'noteProcoreFailure'>;
  /** The app's public base URL (config.publicUrl): where the hook must point. */
  publicUrl: string;
  log: FastifyBaseLogger;
}

export type HookRepair = 'healthy' | 'registered' | 'repaired' | 'not_connected' | 'uninstalled';
export type HookStatus = 'registered' | 'missing' | 'not_connected';

/** Creates whichever of the hook's Company Users create/update/delete triggers are missing. */
async function ensureUserTriggers(procore: CompanySession, hookId: string): Promise<string[]> {
  const triggers = await procore.listTriggers(hookId).toArray();
  const missing = USER_EVENTS.filter(
    (event) =>
      !triggers.some(
        (t) => t.resource_name === COMPANY_USERS_RESOURCE && t.event_type.toLowerCase() === event,
      ),
  );
  if (missing.length > 0) {
    await procore.createTriggers(
      hookId,
      missing.map((event_type) => ({ resource_name: COMPANY_USERS_RESOURCE, event_type })),
    );
  }
  return missing;
}

export function createHooksService(deps: HooksDeps) {
  const destination = `${deps.publicUrl}/webhooks/procore`;

  /**
   * Exactly one hook of ours in the company, pointed here with a fresh secret and the user
   * triggers; a reconnect reuses the company's hook, never leaves two.
   */
  async function register(companyId: string): Promise<void> {
    const procore = await deps.companies.procoreFor(companyId);
    const authorization = `Bearer ${randomBytes(32).toString('base64url')}`;
    const ours = await procore.listHooks({ namespace: WEBHOOK_NAMESPACE }).toArray();
    const [keep, ...extra] = ours;
    for (const hook of extra) await procore.deleteHook(hook.id);
    const settings = { destinationUrl: destination, authorization, payloadVersion: 'v4.0' as const };
    const hook = keep
      ? await procore.updateHook(keep.id, { ...settings, status: 'active' })
      : await procore.createHook({ namespace: WEBHOOK_NAMESPACE, ...settings });
    await ensureUserTriggers(procore, hook.id);
    await deps.companies.setWebhook(companyId, hook.id, hashSecret(authorization));
  }

  async function check(companyId: string): Promise<HookRepair> {
    const company = await deps.companies.find(companyId);
    if (company?.connection_state !== 'connected') return 'not_connected';
    try {
      const procore = await deps.companies.procoreFor(companyId);
      const hook = company.webhook_hook_id
        ? await procore.getHook(company.webhook_hook_id).catch((err: unknown) => {
            if (isProcoreError(err) && err.code === 'not_found') return null;
            throw err;
          })
        : null;
      if (!hook || hook.destination_url !== destination) {
        // Gone, or pointing elsewhere (PUBLIC_URL changed): register again with a fresh secret.
        await register(companyId).catch(async (err: unknown) => {
          // Procore has no hook of ours for the company: say so (alerts) until a check puts it back.
          if (!hook) await deps.companies.setWebhook(companyId, null, null);
          throw err;
        });
        deps.log.warn(
          { companyId, hookId: company.webhook_hook_id },
          'webhook hook was missing: registered again',
        );
        return 'registered';
      }
      let repaired = false;
      if (hook.status === 'disabled') {
        await procore.updateHook(hook.id, { status: 'active' });
        repaired = true;
      }
      const missing = await ensureUserTriggers(procore, hook.id);
      if (missing.length > 0) repaired = true;
      if (repaired) deps.log.warn({ companyId, hookId: hook.id, missing }, 'webhook hook repaired');
      return repaired ? 'repaired' : 'healthy';
    } catch (err) {
      if (await deps.companies.noteProcoreFailure(companyId, err)) return 'uninstalled';
      throw err;
    }
  }

  /**
   * What the app knows of the company's hook without asking Procore: registered, or missing (a
   * connect or a check could not put it in place; the hourly check and an admin's sign-in try again).
   */
  async function status(companyId: string): Promise<HookStatus> {
    const company = await deps.companies.find(companyId);
    if (company?.connection_state !== 'connected') return 'not_connected';
    return company.webhook_hook_id ? 'registered' : 'missing';
  }

  return {
    register,
    check,
    status,
    async remove(companyId: string, hookId: string): Promise<void> {
      const procore = await deps.companies.procoreFor(companyId);
      await procore.deleteHook(hookId);
    },
  };
}

export type HooksService = ReturnType<typeof createHooksService>;
