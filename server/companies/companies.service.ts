import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { AppError, notFound } from '../errors';
import type { CompanySession, ProcoreClient } from '../procore/client';
import { classifyFailure } from '../procore/failure-policy';
import { stopActiveRuns } from '../runs/runs.service';
import * as repo from './companies.repository';

/**
 * The companies that connected the app: who they are, whether they are connected, and how the
 * app reaches Procore for each (design.md flow 2). Every feature asks here; none reads the table.
 */
export type Company = repo.CompanyRow;
export const findCompany = repo.findCompany;

export const UNINSTALLED_REASON =
  'Worker Sync was uninstalled from this company in Procore. A company admin can connect it again.';

/** What every refused Procore use of a disconnected company says (Sync, Preview, sessions). */
export function disconnectedMessage(companyName: string): string {
  return `Worker Sync is disconnected from ${companyName}. Connect it again to sync.`;
}

/** Told when a company was disconnected (Disconnect or uninstall), after the row says so. */
export type DisconnectListener = (companyId: string) => Promise<void>;

export function createCompaniesService(deps: { db: Kysely<Database>; procore: ProcoreClient }) {
  const { db, procore } = deps;
  const disconnectListeners: DisconnectListener[] = [];

  async function markDisconnected(companyId: string, reason: string): Promise<boolean> {
    await stopActiveRuns(db, companyId, reason);
    const changed = await repo.markDisconnected(db, companyId, reason);
    if (changed) for (const listener of disconnectListeners) await listener(companyId);
    return changed;
  }

  async function markUninstalled(companyId: string): Promise<void> {
    await markDisconnected(companyId, UNINSTALLED_REASON);
    await procore.tokens.forgetCompany(companyId);
  }

  return {
    find: (companyId: string) => repo.findCompany(db, companyId),

    async require(companyId: string): Promise<Company> {
      const company = await repo.findCompany(db, companyId);
      if (!company) throw notFound('This company');
      return company;
    },

    listConnectedIds: (among?: readonly string[]) => repo.listConnectedCompanyIds(db, among),

    /**
     * Background calls for a company: its service account when the app was installed with one,
     * else the connecting admin's stored token.
     */
    async procoreFor(companyId: string): Promise<CompanySession> {
      const company = await repo.findCompany(db, companyId);
      // After Disconnect nothing reaches Procore for the company, whoever asks (Sync, Preview, a
      // job queued before it): the tokens are revoked and the admin chose to stop.
      if (company?.connection_state === 'disconnected') {
        throw new AppError('not_connected', disconnectedMessage(company.name));
      }
      return procore.forCompany(companyId, {
        auth: company?.access_mode === 'user_token' ? 'user' : 'service',
      });
    },

    saveConnected: (company: repo.ConnectedCompany) => repo.upsertConnectedCompany(db, company),
    setWebhook: (companyId: string, hookId: string | null, secretHash: string | null) =>
      repo.setWebhook(db, companyId, hookId, secretHash),
    webhookSecret: (companyId: string) => repo.findWebhookSecret(db, companyId),
    noteWebhookDelivery: (companyId: string) => repo.touchWebhookDelivery(db, companyId),

    /**
     * Stops the company's pending runs and marks it disconnected, bumping its session epoch so
     * every session of the company is refused at once; keeps workers and logs.
     */
    markDisconnected,

    /** Runs `listener` after each disconnect (the sessions end theirs: server/auth). */
    afterDisconnect(listener: DisconnectListener): void {
      disconnectListeners.push(listener);
    },

    /**
     * Procore answered 403 "App is not connected to this company" (procore-api.md §1.4): the app
     * was uninstalled. The company is disconnected the same way, without calling Procore again.
     */
    markUninstalled,

    /**
     * The one place a Procore failure changes a company's state: "uninstalled" disconnects it.
     * True when that happened.
     */
    async noteProcoreFailure(companyId: string, err: unknown): Promise<boolean> {
      if (classifyFailure(err).kind !== 'uninstalled') return false;
      await markUninstalled(companyId);
      return true;
    },
  };
}

export type CompaniesService = ReturnType<typeof createCompaniesService>;
