import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { companyCaller, guard } from './auth';
import {
  DirectoryError,
  type DirectoryService,
  userCreateSchema,
  userPatchSchema,
} from './directory.service';
import { sendV1 } from './errors';
import type { Company, CompanyUser } from './model';
import { pageRequest, paginate } from './pagination';
import { parseRange, queryBool, queryIntList, queryString, type TimeRange } from './query';
import { type SandboxState, USER_SORTS } from './state';
import {
  companyTemplateSetting,
  userListItemV10,
  userListItemV13,
  userShowV10,
  userShowV13,
} from './user-views';

const VERSIONS = ['v1.0', 'v1.1', 'v1.2', 'v1.3'] as const;
type Version = (typeof VERSIONS)[number];

/** Company users (procore-api.md §2): list (active only), show, inactive, create, update. */
export function registerUserRoutes(
  app: FastifyInstance,
  state: SandboxState,
  directory: DirectoryService,
): void {
  const company = {
    preHandler: guard(state, 'company'),
    preSerialization: companyTemplateSetting(state),
  };

  for (const version of VERSIONS) {
    app.get(`/rest/${version}/companies/:company_id/users`, company, async (request, reply) => {
      const { company: c } = companyCaller(request);
      return listUsers(state, request, reply, c, true, version);
    });
    app.get(`/rest/${version}/users`, company, async (request, reply) => {
      // `/rest/v1.x/users?company_id=` (RestV13UsersGet): adds filters[active]; v1.1+ items use the show shape.
      const { company: c } = companyCaller(request);
      const active = queryBool(request.query, 'filters[active]') ?? true;
      return listUsers(state, request, reply, c, active, version, version !== 'v1.0');
    });
    app.get(`/rest/${version}/companies/:company_id/users/:id`, company, async (request, reply) => {
      const { company: c } = companyCaller(request);
      const user = findUser(c, request);
      if (!user) return sendV1(reply, 404, 'Not Found', 'not_found');
      if (version !== 'v1.3') return userShowV10(user);
      return userShowV13(user, queryString(request.query, 'view') === 'extended' ? 'extended' : 'normal');
    });
  }

  app.get('/rest/v1.0/companies/:company_id/users/inactive', company, async (request, reply) => {
    const { company: c } = companyCaller(request);
    return listUsers(state, request, reply, c, false, 'v1.0');
  });

  // Reactivate (OAS: PATCH /rest/v1.0/companies/{company_id}/users/inactive/{id}).
  app.patch('/rest/v1.0/companies/:company_id/users/inactive/:id', company, async (request, reply) => {
    const ctx = companyCaller(request);
    const user = findUser(ctx.company, request);
    if (!user || user.is_active) return sendV1(reply, 404, 'Not Found', 'not_found');
    const updated = directory.updateUser(ctx.company, user.id, { is_active: true }, sourceOf(ctx));
    return userShowV10(updated);
  });

  const createBody = z.object({ user: userCreateSchema });
  app.post('/rest/v1.3/companies/:company_id/users', company, async (request, reply) => {
    const ctx = companyCaller(request);
    const parsed = createBody.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    try {
      const user = directory.createUser(ctx.company, parsed.data.user, sourceOf(ctx));
      return reply.code(201).send(userShowV13(user, 'normal'));
    } catch (err) {
      return directoryFailure(reply, err);
    }
  });

  const patchBody = z.object({ user: userPatchSchema });
  app.patch('/rest/v1.3/companies/:company_id/users/:id', company, async (request, reply) => {
    const ctx = companyCaller(request);
    const user = findUser(ctx.company, request);
    if (!user) return sendV1(reply, 404, 'Not Found', 'not_found');
    const parsed = patchBody.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    try {
      return userShowV13(
        directory.updateUser(ctx.company, user.id, parsed.data.user, sourceOf(ctx)),
        'normal',
      );
    } catch (err) {
      return directoryFailure(reply, err);
    }
  });
}

export function sourceOf(ctx: ReturnType<typeof companyCaller>) {
  return { userId: ctx.actor?.id ?? null, applicationId: ctx.token.clientId };
}

export function invalid(reply: FastifyReply, error: z.ZodError) {
  const first = error.issues[0];
  const field = first?.path.join('.') ?? '';
  return sendV1(
    reply,
    400,
    first ? `${field || 'body'}: ${first.message}` : 'Bad Request',
    'invalid_params',
    field,
  );
}

export function directoryFailure(reply: FastifyReply, err: unknown) {
  if (err instanceof DirectoryError) return sendV1(reply, err.status, err.message, 'invalid', err.field);
  throw err;
}

function findUser(company: Company, request: FastifyRequest): CompanyUser | undefined {
  const id = (request.params as { id?: string }).id;
  return id && /^\d+$/.test(id) ? company.users.get(Number(id)) : undefined;
}

function listUsers(
  state: SandboxState,
  request: FastifyRequest,
  reply: FastifyReply,
  company: Company,
  active: boolean,
  version: Version,
  showShape = false,
) {
  const q = request.query;
  const sortParam = queryString(q, 'sort') ?? 'id';
  const sort = (USER_SORTS as readonly string[]).includes(sortParam.replace(/^-/, '')) ? sortParam : 'id';
  let users: readonly CompanyUser[] = state.sortedUsers(company, active, sort);

  const ranges: Array<[TimeRange, (u: CompanyUser) => number]> = [];
  for (const [name, field] of [
    ['filters[updated_at]', (u: CompanyUser) => u.updated_at],
    ['filters[created_at]', (u: CompanyUser) => u.created_at],
  ] as const) {
    const raw = queryString(q, name);
    if (raw === undefined) continue;
    const range = parseRange(raw);
    if (range === 'invalid') {
      return sendV1(
        reply,
        400,
        `${name} must be an ISO 8601 range like 2024-01-01...2024-01-31`,
        'invalid_params',
        name,
      );
    }
    ranges.push([range, field]);
  }
  const vendorIds = queryIntList(q, 'filters[vendor_id]');
  if (vendorIds === 'invalid')
    return sendV1(reply, 400, 'filters[vendor_id] must be integers', 'invalid_params');
  const originId = queryString(q, 'filters[origin_id]');
  const search = queryString(q, 'filters[search]')?.trim().toLowerCase();
  if (ranges.length > 0 || vendorIds.length > 0 || originId !== undefined || search) {
    users = users.filter((u) => {
      for (const [range, field] of ranges) {
        // Compare at the precision clients see (whole seconds, as serialized).
        const t = Math.floor(field(u) / 1000) * 1000;
        if (t < range.from || t > range.to) return false;
      }
      if (vendorIds.length > 0 && !(u.vendor && vendorIds.includes(u.vendor.id))) return false;
      if (originId !== undefined && u.origin_id !== originId) return false;
      if (search && !matchesSearch(u, search)) return false;
      return true;
    });
  }

  const pageItems = paginate(
    request,
    reply,
    users,
    pageRequest(q, state.settings.defaultPerPage, state.settings.maxPerPage),
  );
  const view = version === 'v1.3' ? (queryString(q, 'view') ?? 'normal') : 'normal';
  if (view === 'ids_only') return pageItems.map((u) => u.id);
  if (showShape) return pageItems.map((u) => userShowV10(u));
  if (version === 'v1.3') {
    return pageItems.map((u) => userListItemV13(company, u, view === 'extended' ? 'extended' : 'normal'));
  }
  return pageItems.map((u) => userListItemV10(company, u));
}

/** procore-api.md §2.3: first name, last name, email, job title or company (vendor) name. */
function matchesSearch(u: CompanyUser, term: string): boolean {
  const hay = [
    u.first_name,
    u.last_name,
    `${u.first_name ?? ''} ${u.last_name}`,
    u.email_address,
    u.job_title,
    u.vendor?.name,
  ];
  return hay.some((s) => s?.toLowerCase().includes(term));
}
