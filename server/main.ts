import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from './app';
import { type Config, ConfigError, parseConfig } from './config';
import { type DatabaseHandle, openDatabase } from './db/connect';
import { DataDirLockedError } from './db/data-dir-lock';
import { migrateToLatest } from './db/migrate';
import { startJobs } from './jobs/registry';
import type { RunningSandbox } from './sandbox';
import { createServices, type Services } from './services';

/** The only place that listens: config → database → migrations → services → HTTP → jobs. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  let database: DatabaseHandle;
  try {
    database = await openDatabase(config);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  let app: FastifyInstance | undefined;
  let services: Services | undefined;
  let sandbox: RunningSandbox | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    services?.log.info({ signal }, 'shutting down: finishing requests and jobs in flight');
    // Stops accepting connections, waits for requests in flight, then for the jobs in flight.
    await (app ? app.close() : services?.close());
    await sandbox?.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    await migrateToLatest(database.db);
    // The embedded database has no autovacuum: without statistics the planner reads whole tables
    // where an index answers. Refreshed here, and by the sync as it adds workers.
    if (database.kind === 'pglite') await sql`analyze`.execute(database.db);
    services = await createServices(config, database);
    app = await buildApp(config, services);
    await startJobs(services);
    if (config.sandbox) {
      // The sandbox starts first so the first line an admin reads is the address to open.
      const { startSandbox } = await import('./sandbox');
      sandbox = await startSandbox({
        port: config.sandboxPort,
        appUrl: config.publicUrl,
        logLevel: config.logLevel,
      });
      console.log(
        `\n  procore-worker-sync is running in sandbox mode (no Procore credentials set).\n` +
          `  Open ${sandbox.url}/ — the Procore sandbox, with the app in its company tools.\n` +
          (services.alerts.outboxEnabled
            ? `  Alert e-mails are kept, not sent: ${config.publicUrl}/sandbox/outbox\n`
            : ''),
      );
    }
    await app.listen({
      port: config.port,
      host: config.host,
      listenTextResolver: (address) => `app API listening at ${address}`,
    });
    if (!config.sandbox) console.log(`\n  procore-worker-sync is listening on ${config.publicUrl}\n`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await (app ? app.close() : services?.close(1000));
    await sandbox?.close();
    await database.close();
    process.exit(1);
  }
}

void main();
