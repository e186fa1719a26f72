import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { notFound } from '../errors';
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

export function createCompaniesService(deps: { db: Kysely<Database>; procore: ProcoreClient }) {
  const { db, procore } = deps;

  async function markDisconnected(companyId: string, reason: string): Promise<boolean> {
    await stopActiveRuns(db, companyId, reason);
    return repo.markDisconnected(db, companyId, reason);
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
      return procore.forCompany(companyId, {
        auth: company?.access_mode === 'user_token' ? 'user' : 'service',
      });
    },

    saveConnected: (company: repo.ConnectedCompany) => repo.upsertConnectedCompany(db, company),
    setWebhook: (companyId: string, hookId: string | null, secretHash: string | null) =>
      repo.setWebhook(db, companyId, hookId, secretHash),
    webhookSecret: (companyId: string) => repo.findWebhookSecret(db, companyId),
    noteWebhookDelivery: (companyId: string) => repo.touchWebhookDelivery(db, companyId),

    /** Stops the company's pending runs and marks it disconnected; keeps workers and logs. */
    markDisconnected,

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
