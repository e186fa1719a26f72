import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { companyParamsSchema } from '../api.schemas';
import { requireAdmin, sessionOf } from '../auth/request-context';
import type { Services } from '../services';
import { autosyncSchedule } from '../sync/sync.service';
import { settingsPatchSchema, syncSettingsSchema } from './settings.schemas';
import { type CompanySettings, changeSettings, getSettings } from './settings.service';

/**
 * Anyone signed in may read the company's settings; only an admin may change them. The response
 * schema shows the user-sync switches only.
 */
export function settingsRoutes({ db, now }: Pick<Services, 'db' | 'now'>) {
  return async function settingsRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const shown = async (companyId: string, settings: CompanySettings) => ({
      ...settings,
      ...(await autosyncSchedule(db, companyId, settings, now())),
    });

    app.get(
      '/companies/:companyId/settings',
      { schema: { params: companyParamsSchema, response: { 200: syncSettingsSchema } } },
      async (request) => {
        const { companyId } = sessionOf(request);
        return shown(companyId, await getSettings(db, companyId));
      },
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
      async (request) => {
        const { companyId } = requireAdmin(request);
        return shown(companyId, await changeSettings(db, companyId, request.body));
      },
    );
  };
}
