import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { type AppOptions, buildApp } from '../../server/app';
import type { Config } from '../../server/config';
import type { DatabaseHandle } from '../../server/db/connect';
import { startJobs } from '../../server/jobs/registry';
import { createServices, type ServiceOptions, type Services } from '../../server/services';
import { testConfig } from './config';

/**
 * The app's services the way main.ts builds them (one composition root), quiet and without the
 * cron schedule: tests drive the ticks themselves. Close them in teardown.
 */
export function testServices(
  database: DatabaseHandle,
  config: Config = testConfig(),
  options: ServiceOptions = {},
): Promise<Services> {
  return createServices(config, database, { log: pino({ level: 'silent' }), schedule: false, ...options });
}

export interface TestAppOptions extends ServiceOptions, AppOptions {
  config?: Config;
  /** Start the job consumers too (polling fast), as main.ts does after building the app. */
  jobs?: boolean;
}

/** Builds the app over fresh services for `inject` (never listening); closing it closes them. */
export async function buildTestApp(
  database: DatabaseHandle,
  options: TestAppOptions = {},
): Promise<FastifyInstance & { services: Services }> {
  const config = options.config ?? testConfig();
  const services = await testServices(database, config, options);
  const app = await buildApp(config, services, { webDir: options.webDir });
  if (options.jobs) await startJobs(services, { pollingIntervalSeconds: 0.5 });
  return Object.assign(app, { services });
}
