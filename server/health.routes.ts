import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { DatabaseHandle } from './db/connect';
import { pendingMigrations } from './db/migrate';

/** `/healthz`: the process answers. `/readyz`: the database answers and is fully migrated. */
export async function healthRoutes(app: FastifyInstance, opts: { database: DatabaseHandle }) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await sql`select 1`.execute(opts.database.db);
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
