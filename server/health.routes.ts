import type { FastifyInstance } from 'fastify';
import type { DatabaseHandle } from './db/connect';
import { pendingMigrations } from './db/migrate';

/** How long /readyz waits for the database before answering "unavailable". */
const READY_TIMEOUT_MS = 3_000;

/**
 * `/healthz`: the process answers. `/readyz`: the database answers and is fully migrated. While
 * the database is unreachable /readyz answers 503 within a few seconds (the ping has its own
 * timeout, so a black-holed server cannot hang it); the pool opens new connections by itself,
 * and the next check after the database is back answers 200.
 */
export async function healthRoutes(app: FastifyInstance, opts: { database: DatabaseHandle }) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const ping = await opts.database.ping(READY_TIMEOUT_MS);
    if (!ping.ok) {
      request.log.warn({ error: ping.error, ms: ping.ms }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
    try {
      const pending = await pendingMigrations(opts.database.db);
      if (pending.length > 0) {
        return reply.code(503).send({ status: 'migrating', pending });
      }
      return { status: 'ready', database: opts.database.kind };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
}
