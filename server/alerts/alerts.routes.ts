import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { companyParamsSchema } from '../api.schemas';
import { sessionOf } from '../auth/request-context';
import type { Services } from '../services';
import { alertListSchema } from './alerts.schemas';

/**
 * The banner's problems, for anyone signed in to the company (each says what an admin can do).
 * Computed as they stand at the request, from the owners of the records: nothing to go stale.
 */
export function alertsRoutes(deps: Pick<Services, 'alerts'>) {
  return async function alertsRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/companies/:companyId/alerts',
      { schema: { params: companyParamsSchema, response: { 200: alertListSchema } } },
      async (request) => ({ alerts: await deps.alerts.current(sessionOf(request).companyId) }),
    );
  };
}
