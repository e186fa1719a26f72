import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CompaniesService } from '../companies/companies.service';
import type { Database } from '../db/database';
import type { Jobs } from '../jobs/jobs';
import { runFailurePolicy } from '../procore/failure-policy';
import { executeRun, finishRun, type RunRow } from '../runs/runs.service';
import type { DirectoryFactory } from './directory';
import { runPagedSync } from './full-sync';
import { loadSyncCompany } from './sync-company';

/** What the user sync's jobs and requests need from the app's services. */
export interface UserSyncDeps {
  db: Kysely<Database>;
  jobs: Jobs;
  companies: Pick<CompaniesService, 'noteProcoreFailure' | 'listConnectedIds'>;
  directoryFor: DirectoryFactory;
  now: () => Date;
  log: FastifyBaseLogger;
  /** Ends runs whose process died (every kind); the hourly tick calls it first. */
  recoverRuns(): Promise<unknown>;
}

/**
 * Works one queued run: a Procore failure ends it `failed` with a reason an admin can act on, and
 * "the app was uninstalled" disconnects the company (procore/failure-policy.ts).
 */
export function executeSyncRun(
  deps: Pick<UserSyncDeps, 'db' | 'companies' | 'directoryFor' | 'now' | 'log'> & { heartbeatMs?: number },
  companyId: string,
  runId: string,
): Promise<RunRow | undefined> {
  const { db, now } = deps;
  return executeRun(
    { db, now, heartbeatMs: deps.heartbeatMs },
    companyId,
    runId,
    async (run, signal) => {
      const company = await loadSyncCompany(db, companyId);
      if (!company) throw new Error('Company not found');
      if (!company.user_sync_enabled) {
        return finishCanceled(db, companyId, runId, now());
      }
      const directory = await deps.directoryFor({ id: company.id, name: company.name });
      return runPagedSync({ db, directory, company, run, now, signal });
    },
    runFailurePolicy(deps, { companyId, runId }, 'sync run failed'),
  );
}

function finishCanceled(db: Kysely<Database>, companyId: string, runId: string, now: Date) {
  return finishRun(db, companyId, runId, {
    status: 'canceled',
    reason: 'User sync is turned off for this company',
    now,
  });
}
