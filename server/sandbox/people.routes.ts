import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { companyCaller, guard } from './auth';
import type { DirectoryService } from './directory.service';
import { sendV1 } from './errors';
import type { Company, Person } from './model';
import { pageRequest, paginate } from './pagination';
import { queryBool, queryString } from './query';
import type { SandboxState } from './state';
import { directoryFailure, invalid, sourceOf } from './users.routes';

const personFields = z.object({
  first_name: z.string().nullable(),
  last_name: z.string().trim().min(1),
  is_employee: z.boolean(),
  employee_id: z.string().nullable(),
  active: z.boolean(),
  origin_id: z.string().nullable(),
  job_title: z.string().nullable(),
  work_classification_id: z.number().int().nullable(),
});
const createBody = z.object({ person: personFields.partial().required({ last_name: true }) });
const patchBody = z.object({ person: personFields.partial() });

/**
 * Company people (procore-api.md §4): login users' people and reference users, with person ids
 * distinct from user ids (a login user's person carries `user_id`). §5.4: a person `id` is the
 * timecard `party_id`.
 */
export function registerPeopleRoutes(
  app: FastifyInstance,
  state: SandboxState,
  directory: DirectoryService,
): void {
  const opts = { preHandler: guard(state, 'company') };
  const base = '/rest/v1.0/companies/:company_id/people';

  const list = (active: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { company } = companyCaller(request);
    const q = request.query;
    const isEmployee = queryBool(q, 'filters[is_employee]');
    const refOnly = queryBool(q, 'filters[reference_users_only]');
    const withoutRef = queryBool(q, 'filters[without_reference_users]');
    const search = queryString(q, 'filters[search]')?.trim().toLowerCase();
    const people = [...company.people.values()]
      .map((p) => resolve(company, p))
      .filter(
        (p) =>
          p.active === active &&
          (isEmployee === undefined || p.is_employee === isEmployee) &&
          (!refOnly || p.userId === null) &&
          (!withoutRef || p.userId !== null) &&
          (!search || matches(p, search)),
      );
    const items = paginate(
      request,
      reply,
      people,
      pageRequest(q, state.settings.defaultPerPage, state.settings.maxPerPage),
    );
    const extended = queryString(q, 'view') === 'extended';
    return items.map((p) => view(p, extended));
  };
  app.get(base, opts, list(true));
  app.get(`${base}/inactive`, opts, list(false));

  app.post(base, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const parsed = createBody.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const b = parsed.data.person;
    if (!classificationOk(company, b.work_classification_id, reply)) return;
    const now = state.now();
    const person: Person = {
      id: state.next('person'),
      companyId: company.id,
      userId: null,
      first_name: b.first_name ?? null,
      last_name: b.last_name,
      is_employee: b.is_employee ?? false,
      employee_id: b.employee_id ?? null,
      active: b.active ?? true,
      origin_id: b.origin_id ?? null,
      job_title: b.job_title ?? null,
      work_classification_id: b.work_classification_id ?? null,
      email: null,
      created_at: now,
      updated_at: now,
    };
    company.people.set(person.id, person);
    return reply.code(201).send(view(person, queryString(request.query, 'view') === 'extended'));
  });

  app.patch(`${base}/:id`, opts, async (request, reply) => {
    const ctx = companyCaller(request);
    const id = (request.params as { id: string }).id;
    const person = /^\d+$/.test(id) ? ctx.company.people.get(Number(id)) : undefined;
    if (!person) return sendV1(reply, 404, 'Not Found', 'not_found');
    const parsed = patchBody.safeParse(request.body);
    if (!parsed.success) return invalid(reply, parsed.error);
    const b = parsed.data.person;
    if (!classificationOk(ctx.company, b.work_classification_id, reply)) return;
    if (person.userId !== null) {
      // A login user's person: the change lands on the company user (and emits its webhook).
      const { active, ...rest } = b;
      try {
        directory.updateUser(
          ctx.company,
          person.userId,
          { ...rest, ...(active !== undefined ? { is_active: active } : {}) },
          sourceOf(ctx),
        );
      } catch (err) {
        return directoryFailure(reply, err);
      }
    } else {
      for (const [k, v] of Object.entries(b))
        if (v !== undefined) (person as unknown as Record<string, unknown>)[k] = v;
      person.updated_at = state.now();
    }
    return view(resolve(ctx.company, person), queryString(request.query, 'view') === 'extended');
  });
}

function classificationOk(company: Company, id: number | null | undefined, reply: FastifyReply): boolean {
  if (id === undefined || id === null || company.classifications.has(id)) return true;
  void sendV1(reply, 400, 'Work classification not found', 'invalid_params', 'work_classification_id');
  return false;
}

/** A person with a login user's fields read through from the company user. */
export function resolve(company: Company, p: Person): Person {
  if (p.userId === null) return p;
  const u = company.users.get(p.userId);
  if (!u) return p;
  return {
    ...p,
    first_name: u.first_name,
    last_name: u.last_name,
    is_employee: u.is_employee,
    employee_id: u.employee_id,
    active: u.is_active,
    origin_id: u.origin_id,
    job_title: u.job_title,
    work_classification_id: u.work_classification_id,
    email: u.email_address,
    updated_at: u.updated_at,
  };
}

function matches(p: Person, term: string): boolean {
  return [
    p.first_name,
    p.last_name,
    `${p.first_name ?? ''} ${p.last_name}`,
    p.email,
    p.job_title,
    p.employee_id,
  ].some((s) => s?.toLowerCase().includes(term));
}

/** CompanyPerson (PY 2024); the extended view adds job_title. */
function view(p: Person, extended: boolean) {
  const normal = {
    id: p.id,
    first_name: p.first_name,
    last_name: p.last_name,
    is_employee: p.is_employee,
    employee_id: p.employee_id,
    user_id: p.userId,
    user_uuid: null,
    work_classification_id: p.work_classification_id,
    origin_id: p.origin_id,
    contact: { is_active: p.active, email: p.email },
  };
  return extended ? { ...normal, job_title: p.job_title } : normal;
}
