import type { FastifyInstance } from 'fastify';
import { companyCaller, guard } from './auth';
import { sendV1 } from './errors';
import { isoSeconds } from './ids';
import type { CostCode, Project } from './model';
import { pageRequest, paginate } from './pagination';
import { queryString } from './query';
import type { SandboxState } from './state';

/**
 * A project's cost codes, as Procore's `GET /rest/v1.0/cost_codes?project_id=` lists them (the
 * shape of its public reference; procore-api.md has no section on cost codes). The company comes
 * from `Procore-Company-Id`; a project of another company is a 404, as Procore hides it.
 */
export function registerCostCodeRoutes(app: FastifyInstance, state: SandboxState): void {
  app.get('/rest/v1.0/cost_codes', { preHandler: guard(state, 'company') }, async (request, reply) => {
    const { company } = companyCaller(request);
    const raw = queryString(request.query, 'project_id');
    if (!raw || !/^\d+$/.test(raw)) return sendV1(reply, 400, 'project_id is required', 'invalid_params');
    const project = company.projects.get(Number(raw));
    if (!project) return sendV1(reply, 404, 'Not Found', 'not_found');
    const items = paginate(
      request,
      reply,
      project.cost_codes,
      pageRequest(request.query, state.settings.defaultPerPage, state.settings.maxPerPage),
    );
    return items.map((c) => costCodeView(project, c));
  });
}

export function costCodeView(project: Project, c: CostCode) {
  return {
    id: c.id,
    name: c.name,
    code: c.code,
    full_code: c.full_code,
    sortable_code: c.full_code,
    origin_id: null,
    origin_data: null,
    standard_cost_code_id: null,
    biller: project.name,
    biller_id: project.id,
    biller_type: 'Project',
    budgeted: false,
    parent: c.parentId === null ? null : { id: c.parentId },
    position: project.cost_codes.indexOf(c),
    line_item_types: [],
    created_at: isoSeconds(c.created_at),
    updated_at: isoSeconds(c.updated_at),
  };
}
