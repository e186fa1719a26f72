import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { companyParamsSchema } from '../api.schemas';
import { requireAdmin, sessionOf } from '../auth/request-context';
import type { Services } from '../services';
import { settingsPatchSchema, syncSettingsSchema } from './settings.schemas';
import { changeSettings, getSettings } from './settings.service';

/**
 * Anyone signed in may read the company's settings; only an admin may change them. The response
 * schema shows the user-sync switches only.
 */
export function settingsRoutes({ db }: Pick<Services, 'db'>) {
  return async function settingsRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/companies/:companyId/settings',
      { schema: { params: companyParamsSchema, response: { 200: syncSettingsSchema } } },
      async (request) => getSettings(db, sessionOf(request).companyId),
    );

    app.patch(
      '/companies/:companyId/settings',
      {
        schema: {
          params: companyParamsSchema,
          body: settingsPatchSchema,
          response: { 200: syncSettingsSchema },
        },
      },
      async (request) => changeSettings(db, requireAdmin(request).companyId, request.body),
    );
  };
}
