import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { createCompaniesService } from '../../server/companies/companies.service';
import type { Database } from '../../server/db/database';
import { createProcoreClient } from '../../server/procore/client';
import type { DirectoryFactory } from '../../server/sync/directory';
import { executeSyncRun } from '../../server/sync/run-sync';
import { testConfig } from './config';

/**
 * Works one queued user sync run in the test's own process, with the app's companies service
 * (so an uninstalled company is disconnected as in production) and the given directory.
 */
export function runSync(
  db: Kysely<Database>,
  directoryFor: DirectoryFactory,
  companyId: string,
  runId: string,
) {
  const procore = createProcoreClient({ config: testConfig(), db });
  return executeSyncRun(
    {
      db,
      companies: createCompaniesService({ db, procore }),
      directoryFor,
      now: () => new Date(),
      log: pino({ level: 'silent' }),
    },
    companyId,
    runId,
  );
}
