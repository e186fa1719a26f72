import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CompaniesService } from '../companies/companies.service';
import type { Database } from '../db/database';
import type { Jobs } from '../jobs/jobs';
import { runFailurePolicy } from '../procore/failure-policy';
import { executeRun, type RunRow } from '../runs/runs.service';
import { getSettings } from '../settings/settings.service';
import { sendTimesheets } from './send';

/** What the timesheet send's jobs and requests need from the app's services. */
export interface TimesheetSendDeps {
  db: Kysely<Database>;
  jobs: Jobs;
  companies: Pick<CompaniesService, 'procoreFor' | 'noteProcoreFailure' | 'listConnectedIds'>;
  now: () => Date;
  log: FastifyBaseLogger;
}

/**
 * Works one queued timesheet run. A failure that concerns the whole company ends it `failed`
 * with a reason an admin can act on; "the app was uninstalled" disconnects the company.
 */
export function executeTimesheetRun(
  deps: Pick<TimesheetSendDeps, 'db' | 'companies' | 'now' | 'log'> & { heartbeatMs?: number },
  companyId: string,
  runId: string,
): Promise<RunRow | undefined> {
  const { db, now } = deps;
  return executeRun(
    { db, now, heartbeatMs: deps.heartbeatMs },
    companyId,
    runId,
    async (run, signal) => {
      const settings = await getSettings(db, companyId);
      const procore = await deps.companies.procoreFor(companyId);
      return sendTimesheets({ db, procore, settings, run, now, signal });
    },
    runFailurePolicy(deps, { companyId, runId }, 'timesheet send failed'),
  );
}
