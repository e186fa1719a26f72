import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAdmin, sessionOf } from '../auth/request-context';
import { notFound } from '../errors';
import { autosyncMinuteFor } from './autosync';
import { findCompanyForSync } from './company-sync.repository';
import {
  companyParamsSchema,
  type SyncSettings,
  settingsPatchSchema,
  syncSettingsSchema,
} from './sync.schemas';

/**
 * Sync settings (seed.md: Sync Classifications, Autosync; design.md: user sync on/off). Anyone
 * signed in may read them; only an admin may change them.
 */
export async function settingsRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const read = async (companyId: string): Promise<SyncSettings> => {
    const row = await findCompanyForSync(app.db, companyId);
    if (!row) throw notFound('Company');
    return {
      syncClassifications: row.sync_classifications,
      autosync: row.autosync,
      userSyncEnabled: row.user_sync_enabled,
      autosyncMinute: row.autosync_minute,
    };
  };

  app.get(
    '/companies/:companyId/settings',
    { schema: { params: companyParamsSchema, response: { 200: syncSettingsSchema } } },
    async (request) => read(sessionOf(request).companyId),
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
      const patch = request.body;
      const set = {
        ...(patch.syncClassifications !== undefined
          ? { sync_classifications: patch.syncClassifications }
          : {}),
        ...(patch.autosync !== undefined ? { autosync: patch.autosync } : {}),
        ...(patch.userSyncEnabled !== undefined ? { user_sync_enabled: patch.userSyncEnabled } : {}),
        // Each company gets its own minute of the hour (design.md flow 5: not all at :00).
        ...(patch.autosync ? { autosync_minute: autosyncMinuteFor(companyId) } : {}),
      };
      if (Object.keys(set).length > 0) {
        await app.db
          .updateTable('companies')
          .set({ ...set, updated_at: new Date() })
          .where('id', '=', companyId)
          .execute();
      }
      return read(companyId);
    },
  );
}
