import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { type AlertsService, createAlertsService } from './alerts/alerts.service';
import { checkAlertsSoon } from './alerts/alerts-check.job';
import { createMailer } from './alerts/mailer';
import { createSessionsService, type SessionsService } from './auth/sessions.service';
import { type CompaniesService, createCompaniesService } from './companies/companies.service';
import type { Config } from './config';
import type { DatabaseHandle } from './db/connect';
import type { Database } from './db/database';
import { acquireProcessLease } from './db/process-lease';
import type { ConnectGateway } from './install/connect.gateway';
import { createConnectGateway } from './install/procore-connect.gateway';
import { Jobs } from './jobs/jobs';
import { startJobQueue, stopJobQueue } from './jobs/queue';
import { ALL_JOBS, recoverRunsOfEveryKind } from './jobs/registry';
import { createLogger } from './log';
import { createProcoreClient, type ProcoreClient } from './procore/client';
import { failOwnRuns } from './runs/runs.service';
import type { DirectoryFactory } from './sync/directory';
import { procoreDirectoryFactory } from './sync/procore-directory';
import { createHooksService, type HooksService } from './webhooks/hooks.service';
import { createDeliveryIntake, type DeliveryIntake } from './webhooks/intake';

/**
 * The one composition root: everything the app's routes and jobs use, built once per process
 * (main.ts), per test and per benchmark. `buildApp(config, services)` serves them over HTTP and
 * `startJobs(services)` works their jobs.
 */
export interface Services {
  config: Config;
  database: DatabaseHandle;
  db: Kysely<Database>;
  log: FastifyBaseLogger;
  /** The app's clock (tests move it to compress time). */
  now: () => Date;
  procore: ProcoreClient;
  jobs: Jobs;
  companies: CompaniesService;
  /** Sign-ins: refresh handles, renewal, and the `/api` scope's epoch check (auth/). */
  sessions: SessionsService;
  /** The connect flow's view of Procore (install/). */
  connect: ConnectGateway;
  /** How a user sync reads a company's Procore users (sync/). */
  directoryFor: DirectoryFactory;
  hooks: HooksService;
  /** Where the webhook receiver records deliveries (webhooks/intake.ts). */
  webhookIntake: DeliveryIntake;
  /** The company's problems (the banner) and the e-mails to its admins (alerts/). */
  alerts: AlertsService;
  /** Whether this process installs and runs the jobs' cron schedules (tests drive ticks themselves). */
  schedules: boolean;
  /** Ends runs whose process died, of every kind. */
  recoverRuns(): Promise<string[]>;
  /**
   * Stops taking jobs, waits for the ones in flight (up to `timeoutMs`), closes the queue, and
   * ends as interrupted any run this process is still working (a job that outlasted the drain).
   */
  close(timeoutMs?: number): Promise<void>;
}

export interface ServiceOptions {
  /** A logger of the caller's (tests pass a silent one); else one made from config. */
  log?: FastifyBaseLogger;
  now?: () => Date;
  /** Tests hand in a directory of their own instead of the Procore-backed one. */
  directoryFor?: DirectoryFactory;
  /** Run pg-boss's cron scheduler in this process (tests drive the ticks themselves). */
  schedule?: boolean;
}

export async function createServices(
  config: Config,
  database: DatabaseHandle,
  options: ServiceOptions = {},
): Promise<Services> {
  const { db } = database;
  const log = options.log ?? createLogger(config);
  // A lost connection is reported and the pool reconnects; the process stays up (db/connect.ts).
  database.onError((err) => log.error({ err }, 'database connection error'));
  // Before any run can be claimed: the lease marks this process's runs as alive (db/process-lease.ts).
  const lease = await acquireProcessLease(database, (err) => log.error({ err }, 'process lease'));
  const procore = createProcoreClient({ config, db });
  const companies = createCompaniesService({ db, procore });
  const schedules = options.schedule ?? true;
  const now = options.now ?? (() => new Date());
  const sessions = createSessionsService({ db, config, procore, companies, log, now });
  // Disconnect or uninstall: every session of the company ends, and their Procore grants go.
  companies.afterDisconnect((companyId) => sessions.endCompany(companyId));
  let boss: Awaited<ReturnType<typeof startJobQueue>>;
  try {
    boss = await startJobQueue(database, (err) => log.error({ err }, 'job queue error'), {
      schedule: schedules,
    });
  } catch (err) {
    await lease.release();
    throw err;
  }
  const jobs = new Jobs(boss);
  // Before anything can send: the webhook receiver may answer before the consumers start.
  await jobs.createQueues(ALL_JOBS);
  const hooks = createHooksService({ companies, publicUrl: config.publicUrl, log });
  // Deliveries journaled by a process that died before recording them are recorded from here on.
  const webhookIntake = createDeliveryIntake({ db, jobs, log }, database);
  const mailer = createMailer(config);
  const alerts = createAlertsService({ db, companies, hooks, mailer, log, now });
  // Disconnected or uninstalled: the admins hear of it at once, not at the next tick.
  companies.afterDisconnect((companyId) => checkAlertsSoon({ jobs, log }, companyId));
  return {
    config,
    database,
    db,
    log,
    now,
    procore,
    jobs,
    companies,
    sessions,
    connect: createConnectGateway(procore, {
      loginUrl: config.procore.loginUrl,
      clientId: config.procore.clientId,
    }),
    directoryFor: options.directoryFor ?? procoreDirectoryFactory(companies),
    hooks,
    webhookIntake,
    alerts,
    schedules,
    recoverRuns: () => recoverRunsOfEveryKind({ db, jobs }),
    close: async (timeoutMs = 30_000) => {
      // Deliveries already answered are recorded (with their jobs) while the queue still runs.
      await webhookIntake.close();
      await stopJobQueue(boss, timeoutMs);
      try {
        const ended = await failOwnRuns(db, lease.key);
        if (ended.length > 0)
          log.warn({ runs: ended }, 'runs still working at shutdown were marked interrupted');
      } catch (err) {
        log.error({ err }, 'could not mark the runs still working at shutdown as interrupted');
      }
      await lease.release();
      mailer.close();
    },
  };
}
