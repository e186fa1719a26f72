import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAdmin, sessionOf } from '../auth/request-context';
import type { Services } from '../services';
import { onePreviewAtATime, previewSync } from './preview';
import { cancelReview, confirmReview } from './review';
import { draftToApi, runToApi } from './runs.view';
import {
  companyParamsSchema,
  previewSchema,
  runParamsSchema,
  runResponseSchema,
  startSyncBodySchema,
} from './sync.schemas';
import { requestSync } from './sync.service';

/**
 * Sync actions (design.md flow 3): Sync and a review's Confirm or Cancel are for company admins;
 * Preview, which changes nothing, is for anyone signed in to the company. Mounted inside the
 * `/api` scope, whose hook has proven the session and that `:companyId` is the session's company;
 * queries use the session's company id, never the path's.
 */
export function syncRoutes(deps: Pick<Services, 'db' | 'jobs' | 'directoryFor'>) {
  return async function syncRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const previewFor = onePreviewAtATime((companyId) => previewSync(deps, companyId));

    app.post(
      '/companies/:companyId/syncs',
      {
        schema: {
          params: companyParamsSchema,
          body: startSyncBodySchema,
          response: { 200: runResponseSchema, 202: runResponseSchema },
        },
      },
      async (request, reply) => {
        const session = requireAdmin(request);
        // A manual Sync is always full (design.md flow 5).
        const { run, created } = await requestSync(deps, {
          companyId: session.companyId,
          trigger: 'manual',
          mode: 'full',
          startedByUserId: session.procoreUserId,
          startedByName: session.userName,
        });
        return reply.code(created ? 202 : 200).send({ run: runToApi(run) });
      },
    );

    app.post(
      '/companies/:companyId/syncs/preview',
      { schema: { params: companyParamsSchema, response: { 200: previewSchema } } },
      async (request) => {
        const session = sessionOf(request);
        const preview = await previewFor(session.companyId);
        return {
          total: preview.total,
          truncated: preview.truncated,
          safeguard: preview.safeguard,
          entries: preview.entries.map(draftToApi),
          counts: {
            ...preview.counts,
            wouldDeactivate: preview.counts.would_deactivate,
          },
        };
      },
    );

    for (const action of ['confirm', 'cancel'] as const) {
      app.post(
        `/companies/:companyId/syncs/:runId/${action}`,
        { schema: { params: runParamsSchema, response: { 200: runResponseSchema } } },
        async (request) => {
          const session = requireAdmin(request);
          const review = { byName: session.userName, now: new Date() };
          const run =
            action === 'confirm'
              ? await confirmReview(deps.db, session.companyId, request.params.runId, review)
              : await cancelReview(deps.db, session.companyId, request.params.runId, review);
          return { run: runToApi(run) };
        },
      );
    }
  };
}
