import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { companyParamsSchema as params } from '../api.schemas';
import { requireAdmin, sessionOf } from '../auth/request-context';
import { invalidInput } from '../errors';
import { listRunWorkerIds } from '../runs/runs.service';
import type { Services } from '../services';
import {
  createLocalWorker,
  createPosition,
  lastCheckedAt,
  lastSyncedAt,
  renamePosition,
  updateWorker,
} from './local-workers';
import { listPositions } from './positions.repository';
import { workerHistory } from './worker-history';
import { countWorkers, listWorkers } from './workers.repository';
import {
  directoryLinkSchema,
  positionInputSchema,
  positionListSchema,
  positionParamsSchema,
  positionResponseSchema,
  type Worker,
  workerHistoryQuerySchema,
  workerHistorySchema,
  workerInputSchema,
  workerListSchema,
  workerParamsSchema,
  workerPatchSchema,
  workerQuerySchema,
  workerResponseSchema,
  workerTotalsSchema,
} from './workers.schemas';

/**
 * The Workers page: anyone signed in reads the workforce; an admin adds, edits and deactivates
 * local workers and keeps positions while user sync is off.
 */

type Cursor = { lastName: string; firstName: string; id: string };

const encodeCursor = (c: Cursor) =>
  Buffer.from(JSON.stringify([c.lastName, c.firstName, c.id])).toString('base64url');

function decodeCursor(raw: string): Cursor {
  try {
    const [lastName, firstName, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof lastName === 'string' &&
      typeof firstName === 'string' &&
      typeof id === 'string' &&
      /^\d+$/.test(id)
    ) {
      return { lastName, firstName, id };
    }
  } catch {
    // fall through
  }
  throw invalidInput('The cursor is not valid; start from the first page.');
}

/** A user's page in Procore's Directory for this company, `{userId}` left for the caller. */
export function directoryUserUrl(pattern: string, companyId: string): string {
  return pattern.replaceAll('{companyId}', encodeURIComponent(companyId));
}

export function workersRoutes({ db, config }: Pick<Services, 'db' | 'config'>) {
  return async function workersRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/companies/:companyId/workers',
      { schema: { params, querystring: workerQuerySchema, response: { 200: workerListSchema } } },
      async (request) => {
        const { companyId } = sessionOf(request);
        const query = request.query;
        if ((query.runId === undefined) !== (query.result === undefined)) {
          throw invalidInput('runId and result go together: the workers a run recorded with that result.');
        }
        const ids =
          query.runId && query.result
            ? await listRunWorkerIds(db, companyId, query.runId, query.result)
            : undefined;
        const rows = await listWorkers(db, companyId, {
          ids,
          q: query.q || undefined,
          active: query.active === undefined ? undefined : query.active === 'true',
          source: query.source,
          positionId: query.positionId,
          after: query.cursor ? decodeCursor(query.cursor) : undefined,
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        const checkedAt = await lastCheckedAt(db, companyId);
        const workers: Worker[] = page.map((r) => ({
          id: r.id,
          firstName: r.first_name,
          lastName: r.last_name,
          email: r.email,
          phone: r.phone,
          payrollId: r.payroll_id,
          position: r.position_id && r.position_name ? { id: r.position_id, name: r.position_name } : null,
          active: r.active,
          deactivatedReason: r.deactivated_reason,
          source: r.source,
          procoreUserId: r.procore_user_id,
          lastSyncedAt: lastSyncedAt(r, checkedAt),
          updatedAt: r.updated_at.toISOString(),
        }));
        return {
          workers,
          nextCursor:
            rows.length > query.limit && last
              ? encodeCursor({ lastName: last.last_name, firstName: last.first_name, id: last.id })
              : null,
        };
      },
    );

    app.get(
      '/companies/:companyId/workers/totals',
      { schema: { params, response: { 200: workerTotalsSchema } } },
      async (request) => countWorkers(db, sessionOf(request).companyId),
    );

    app.get(
      '/companies/:companyId/workers/:workerId/history',
      {
        schema: {
          params: workerParamsSchema,
          querystring: workerHistoryQuerySchema,
          response: { 200: workerHistorySchema },
        },
      },
      async (request) => {
        const { companyId } = sessionOf(request);
        return workerHistory(db, companyId, request.params.workerId, request.query);
      },
    );

    app.get(
      '/companies/:companyId/directory-link',
      { schema: { params, response: { 200: directoryLinkSchema } } },
      async (request) => ({
        userUrl: directoryUserUrl(config.directoryUserUrl, sessionOf(request).companyId),
      }),
    );

    app.get(
      '/companies/:companyId/positions',
      { schema: { params, response: { 200: positionListSchema } } },
      async (request) => {
        const { companyId } = sessionOf(request);
        const rows = await listPositions(db, companyId, 'name');
        return {
          positions: rows.map((r) => ({
            id: r.id,
            name: r.name,
            fromProcore: r.procore_classification_id !== null,
          })),
        };
      },
    );

    app.post(
      '/companies/:companyId/workers',
      { schema: { params, body: workerInputSchema, response: { 201: workerResponseSchema } } },
      async (request, reply) => {
        const { companyId } = requireAdmin(request);
        const worker = await createLocalWorker(db, companyId, request.body);
        return reply.code(201).send({ worker });
      },
    );

    app.patch(
      '/companies/:companyId/workers/:workerId',
      {
        schema: {
          params: workerParamsSchema,
          body: workerPatchSchema,
          response: { 200: workerResponseSchema },
        },
      },
      async (request) => {
        const { companyId } = requireAdmin(request);
        return { worker: await updateWorker(db, companyId, request.params.workerId, request.body) };
      },
    );

    app.post(
      '/companies/:companyId/positions',
      { schema: { params, body: positionInputSchema, response: { 201: positionResponseSchema } } },
      async (request, reply) => {
        const { companyId } = requireAdmin(request);
        return reply.code(201).send({ position: await createPosition(db, companyId, request.body.name) });
      },
    );

    app.patch(
      '/companies/:companyId/positions/:positionId',
      {
        schema: {
          params: positionParamsSchema,
          body: positionInputSchema,
          response: { 200: positionResponseSchema },
        },
      },
      async (request) => {
        const { companyId } = requireAdmin(request);
        const position = await renamePosition(db, companyId, request.params.positionId, request.body.name);
        return { position };
      },
    );
  };
}
