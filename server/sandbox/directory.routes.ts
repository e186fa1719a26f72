import type { FastifyInstance } from 'fastify';
import { callerOf, companyCaller, guard } from './auth';
import { sendV1 } from './errors';
import { isoSeconds } from './ids';
import type { Company, Project } from './model';
import { pageRequest, paginate } from './pagination';
import { queryBool } from './query';
import type { SandboxState } from './state';
import { companyMeV10, companyMeV13, companyTemplateSetting } from './user-views';

/** procore-api.md §1.5: `/me`, `/companies`, company `me`; plus the company's projects. */
export function registerDirectoryRoutes(app: FastifyInstance, state: SandboxState): void {
  const directory = { preHandler: guard(state, 'directory') };
  const company = { preHandler: guard(state, 'company') };

  // RestV10MeGet: {id, login, name}. A service-account token answers as the company's DMSA user.
  app.get('/rest/v1.0/me', directory, async (request, reply) => {
    const ctx = callerOf(request);
    if (ctx.token.kind === 'service_account') {
      if (!ctx.actor) return sendV1(reply, 404, 'Not Found', 'not_found');
      return {
        id: ctx.actor.id,
        login: ctx.actor.email_address,
        name: `${ctx.actor.first_name} ${ctx.actor.last_name}`,
      };
    }
    const login = state.logins.get(ctx.token.userId ?? -1);
    if (!login) return sendV1(reply, 404, 'Not Found', 'not_found');
    return { id: login.id, login: login.email, name: login.name };
  });

  // RestV10CompaniesGet: a user sees the companies they belong to; the service account sees the
  // companies where the app is installed (procore-api.md §1.4).
  app.get('/rest/v1.0/companies', directory, async (request, reply) => {
    const ctx = callerOf(request);
    const userId = ctx.token.userId;
    const visible = [...state.companies.values()]
      .filter((c) =>
        ctx.token.kind === 'service_account' ? c.installed : c.users.get(userId ?? -1)?.is_active === true,
      )
      .sort((a, b) => a.id - b.id);
    const items = paginate(
      request,
      reply,
      visible,
      pageRequest(request.query, 100, state.settings.maxPerPage),
    );
    return items.map((c) => ({
      id: c.id,
      name: c.name,
      is_active: c.is_active,
      logo_url: c.logo_url,
      pcn_business_experience: false,
      my_company: userId !== null && c.users.get(userId)?.is_employee === true,
    }));
  });

  const companyMe = { ...company, preSerialization: companyTemplateSetting(state) };
  for (const version of ['v1.0', 'v1.1', 'v1.2', 'v1.3']) {
    app.get(`/rest/${version}/companies/:company_id/me`, companyMe, async (request, reply) => {
      const ctx = companyCaller(request);
      if (!ctx.actor) return sendV1(reply, 404, 'Not Found', 'not_found');
      return version === 'v1.0' ? companyMeV10(ctx.actor) : companyMeV13(ctx.company, ctx.actor);
    });
  }

  const listProjects = async (
    request: Parameters<typeof companyCaller>[0],
    reply: Parameters<typeof paginate>[1],
  ) => {
    const { company: c } = companyCaller(request);
    const active = queryBool(request.query, 'filters[active]');
    const projects = [...c.projects.values()].filter((p) => active === undefined || p.active === active);
    const items = paginate(
      request,
      reply,
      projects,
      pageRequest(request.query, 100, state.settings.maxPerPage),
    );
    return items.map((p) => projectView(c, p));
  };
  app.get('/rest/v1.0/projects', company, listProjects);
  app.get('/rest/v1.0/companies/:company_id/projects', company, listProjects);
}

export function projectView(c: Company, p: Project) {
  return {
    id: p.id,
    name: p.name,
    display_name: `${p.project_number} - ${p.name}`,
    project_number: p.project_number,
    active: p.active,
    address: p.address,
    city: p.city,
    state_code: p.state_code,
    country_code: 'US',
    zip: p.zip,
    created_at: isoSeconds(p.created_at),
    updated_at: isoSeconds(p.updated_at),
    company: { id: c.id, name: c.name },
  };
}
