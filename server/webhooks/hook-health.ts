import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/database';
import { companyProcore } from '../install/company-access';
import type { ConnectGateway } from '../install/connect.gateway';
import { registerWebhook } from '../install/connect.service';
import { markUninstalled } from '../install/disconnect.service';
import { ensureUserTriggers } from '../install/procore-connect.gateway';
import type { JobQueue } from '../jobs/queue';
import type { ProcoreClient } from '../procore/client';
import { isProcoreError } from '../procore/errors';

/**
 * Staying healthy (issue 8): webhooks are best-effort (procore-api.md §6.3), and a hook can be
 * deleted or disabled in Procore, or lose a trigger, without telling us. Once an hour each
 * connected company's hook is checked and what is missing put back (§6.1 v2.0 endpoints).
 */
export interface HookHealthDeps {
  db: Kysely<Database>;
  procore: ProcoreClient;
  gateway: ConnectGateway;
  /** The app's public base URL (config.publicUrl): where the hook must point. */
  publicUrl: string;
  log: FastifyBaseLogger;
}

export type HookRepair = 'healthy' | 'registered' | 'repaired' | 'not_connected' | 'uninstalled';

export async function checkCompanyHook(deps: HookHealthDeps, companyId: string): Promise<HookRepair> {
  const company = await deps.db
    .selectFrom('companies')
    .select(['connection_state', 'webhook_hook_id'])
    .where('id', '=', companyId)
    .executeTakeFirst();
  if (company?.connection_state !== 'connected') return 'not_connected';
  const destination = `${deps.publicUrl}/webhooks/procore`;
  try {
    const procore = await companyProcore(deps.procore, deps.db, companyId);
    const hook = company.webhook_hook_id
      ? await procore.getHook(company.webhook_hook_id).catch((err: unknown) => {
          if (isProcoreError(err) && err.code === 'not_found') return null;
          throw err;
        })
      : null;
    if (!hook || hook.destination_url !== destination) {
      // Gone, or pointing elsewhere (PUBLIC_URL changed): register again with a fresh secret,
      // reusing any hook left in our namespace (procore-connect.gateway.ts ensureWebhook).
      await registerWebhook({ ...deps }, companyId);
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
    if (isProcoreError(err) && err.code === 'not_connected') {
      await markUninstalled(deps.db, companyId);
      return 'uninstalled';
    }
    throw err;
  }
}

/** The hourly tick fans out one check job per connected company (style.md rule 15). */
export const HOOK_CHECK_TICK_JOB = 'webhook-hook-check-tick';
export const HOOK_CHECK_JOB = 'webhook-hook-check';
const hookCheckPayload = z.object({ companyId: z.string().regex(/^\d{1,19}$/) });

export async function hookCheckWorkers(
  deps: HookHealthDeps & { queue: JobQueue; pollingIntervalSeconds?: number },
): Promise<void> {
  const { queue } = deps;
  const polling = { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 5 };
  await queue.work(HOOK_CHECK_TICK_JOB, polling, async () => {
    const companies = await deps.db
      .selectFrom('companies')
      .select('id')
      .where('connection_state', '=', 'connected')
      .execute();
    for (const { id } of companies) {
      await queue.send(HOOK_CHECK_JOB, hookCheckPayload.parse({ companyId: id }), { singletonKey: id });
    }
  });
  await queue.work<unknown>(HOOK_CHECK_JOB, polling, async (jobs) => {
    for (const job of jobs) {
      const { companyId } = hookCheckPayload.parse(job.data);
      await checkCompanyHook(deps, companyId);
    }
  });
}
