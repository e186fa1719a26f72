import type { FastifyInstance } from 'fastify';
import { buildApp, loggerOptions } from './app';
import { type Config, ConfigError, parseConfig } from './config';
import { type DatabaseHandle, openDatabase } from './db/connect';
import { DataDirLockedError } from './db/data-dir-lock';
import { migrateToLatest } from './db/migrate';
import { createConnectGateway } from './install/procore-connect.gateway';
import { type JobQueue, startJobQueue, stopJobQueue } from './jobs/queue';
import { createProcoreClient } from './procore/client';
import type { RunningSandbox } from './sandbox';
import { procoreDirectoryFactory } from './sync/procore-directory';
import { startSyncWorkers } from './sync/sync.worker';
import { createWebhookWork, startWebhookWorkers } from './webhooks/webhook.job';

/** The only place that listens: config → database → migrations → jobs → HTTP (style.md rule 1). */
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
  let queue: JobQueue | undefined;
  let sandbox: RunningSandbox | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app?.log.info({ signal }, 'shutting down: finishing requests and jobs in flight');
    await app?.close(); // stops accepting connections, waits for requests in flight
    if (queue) await stopJobQueue(queue);
    await sandbox?.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    await migrateToLatest(database.db);
    queue = await startJobQueue(database, (err) => app?.log.error({ err }, 'job queue error'));
    const procore = createProcoreClient({ config, db: database.db });
    const directoryFor = procoreDirectoryFactory(procore, database.db);
    const connectGateway = createConnectGateway(procore, database.db, {
      loginUrl: config.procore.loginUrl,
      clientId: config.procore.clientId,
    });
    app = await buildApp(config, {
      database,
      queue,
      procore,
      directoryFor,
      connectGateway,
      webhookWork: createWebhookWork(queue),
      logger: loggerOptions(config),
    });
    await startSyncWorkers({ db: database.db, queue, directoryFor, log: app.log });
    await startWebhookWorkers({
      db: database.db,
      queue,
      directoryFor,
      log: app.log,
      // PGlite is one connection: more workers would make the webhook receiver wait on them.
      concurrency: database.kind === 'postgres' ? 4 : 1,
      hookHealth: { procore, gateway: connectGateway, publicUrl: config.publicUrl, log: app.log },
    });
    await app.listen({ port: config.port, host: config.host });
    if (config.sandbox) {
      const { startSandbox } = await import('./sandbox');
      sandbox = await startSandbox({
        port: config.sandboxPort,
        appUrl: config.publicUrl,
        logLevel: config.logLevel,
      });
      console.log(
        `\n  procore-worker-sync is running in sandbox mode (no Procore credentials set).\n` +
          `  Open ${sandbox.url}/ — the Procore sandbox, with the app in its company tools.\n`,
      );
    } else {
      console.log(`\n  procore-worker-sync is listening on ${config.publicUrl}\n`);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await app?.close();
    if (queue) await stopJobQueue(queue, 1000);
    await sandbox?.close();
    await database.close();
    process.exit(1);
  }
}

void main();
