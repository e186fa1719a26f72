import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { companyParamsSchema as companyParams } from '../api.schemas';
import { requireAdmin, sessionOf } from '../auth/request-context';
import { findLastWorkedRun } from '../runs/runs.service';
import type { Services } from '../services';
import { getSettings } from '../settings/settings.service';
import { autosyncSchedule, findSyncState } from '../sync/sync.service';
import { type Connection, connectionSchema, meResponseSchema } from './connection.schemas';
import { disconnectCompany } from './disconnect.service';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type ConnectionDeps = Pick<Services, 'db' | 'connect' | 'companies' | 'hooks' | 'now'>;

async function loadConnection(deps: ConnectionDeps, companyId: string): Promise<Connection> {
  const c = await deps.companies.require(companyId);
  const sync = await findSyncState(deps.db, companyId);
  const lastSync = await findLastWorkedRun(deps.db, companyId, 'users');
  const schedule = await autosyncSchedule(
    deps.db,
    companyId,
    await getSettings(deps.db, companyId),
    deps.now(),
  );
  return {
    companyId: c.id,
    companyName: c.name,
    state: c.connection_state,
    disconnectReason: c.disconnect_reason,
    connectedAt: iso(c.connected_at),
    connectedBy: c.connected_by_name,
    disconnectedAt: iso(c.disconnected_at),
    accessMode: c.access_mode,
    webhookRegistered: c.webhook_hook_id !== null,
    lastWebhookAt: iso(c.webhook_last_delivery_at),
    lastFullSyncAt: iso(sync?.last_full_sync_at),
    lastSyncRunId: lastSync?.id ?? null,
    lastSyncAt: iso(lastSync?.finished_at),
    ...schedule,
  };
}

/** Who is signed in, and the company's connection (the Connection page; Disconnect). */
export function connectionRoutes(deps: ConnectionDeps) {
  return async function routes(app: FastifyInstance) {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/companies/:companyId/me',
      { schema: { params: companyParams, response: { 200: meResponseSchema } } },
      async (request) => {
        const session = sessionOf(request);
        return {
          user: { procoreUserId: session.procoreUserId, name: session.userName, isAdmin: session.isAdmin },
          connection: await loadConnection(deps, session.companyId),
        };
      },
    );

    r.get(
      '/companies/:companyId/connection',
      { schema: { params: companyParams, response: { 200: connectionSchema } } },
      async (request) => loadConnection(deps, sessionOf(request).companyId),
    );

    // Procore's webhook for the company, checked and put back now rather than at the hourly check.
    r.post(
      '/companies/:companyId/connection/webhook',
      { schema: { params: companyParams, response: { 200: connectionSchema } } },
      async (request) => {
        const session = requireAdmin(request);
        await deps.hooks.check(session.companyId);
        return loadConnection(deps, session.companyId);
      },
    );

    r.delete(
      '/companies/:companyId/connection',
      { schema: { params: companyParams, response: { 200: connectionSchema } } },
      async (request) => {
        const session = requireAdmin(request);
        await disconnectCompany(
          { ...deps, gateway: deps.connect, log: request.log },
          session.companyId,
          `Disconnected by ${session.userName}.`,
        );
        return loadConnection(deps, session.companyId);
      },
    );
  };
}
