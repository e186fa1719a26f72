import type { FastifyInstance } from 'fastify';
import { companyCaller, guard } from './auth';
import { sendV1 } from './errors';
import { permissionManifest } from './permissions';
import { queryString } from './query';
import type { SandboxState } from './state';

/**
 * `GET /rest/v1.0/settings/permissions` (procore-api.md §2.5): the current user's permission
 * manifest, `company_id` for company level or `project_id` for project level (one of them, not
 * both), `Procore-Company-Id` required. Guarded like every company route (token, header, company
 * visible, app installed); a client-credentials token answers as the app's service account.
 */
export function registerPermissionRoutes(app: FastifyInstance, state: SandboxState): void {
  app.get(
    '/rest/v1.0/settings/permissions',
    { preHandler: guard(state, 'company') },
    async (request, reply) => {
      const ctx = companyCaller(request);
      const refusal = state.settings.permissions.manifest;
      if (refusal === 'forbidden') {
        return sendV1(reply, 403, 'You do not have permission to view this permission manifest', 'forbidden');
      }
      if (refusal === 'not_found') return sendV1(reply, 404, 'Not Found', 'not_found');

      const companyId = queryString(request.query, 'company_id');
      const projectId = queryString(request.query, 'project_id');
      if ((companyId === undefined) === (projectId === undefined)) {
        return sendV1(
          reply,
          400,
          'Give company_id for the company permission manifest or project_id for a project one',
          'invalid_params',
          companyId === undefined ? 'company_id' : 'project_id',
        );
      }
      if (!ctx.actor) return sendV1(reply, 404, 'Not Found', 'not_found');
      if (projectId === undefined) {
        return permissionManifest(state.settings, ctx.company, ctx.actor, { level: 'company' });
      }
      const project = /^\d+$/.test(projectId) ? ctx.company.projects.get(Number(projectId)) : undefined;
      if (!project) return sendV1(reply, 404, 'Not Found', 'not_found');
      return permissionManifest(state.settings, ctx.company, ctx.actor, { level: 'project', project });
    },
  );
}
