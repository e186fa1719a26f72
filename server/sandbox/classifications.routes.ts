import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { companyCaller, guard } from './auth';
import { sendV1 } from './errors';
import { isoSeconds } from './ids';
import type { Company, WorkClassification } from './model';
import { pageRequest, paginate } from './pagination';
import type { SandboxState } from './state';

const body = z.object({
  work_classification: z.object({
    name: z.string().optional(),
    abbreviation: z.string().nullable().optional(),
  }),
});

/**
 * Company work classifications (procore-api.md §3, §10.8): `{work_classification: {…}}` bodies,
 * POST 201, PATCH 200, DELETE 200 with the object, 422 on a blank or duplicate name.
 */
export function registerClassificationRoutes(app: FastifyInstance, state: SandboxState): void {
  const opts = { preHandler: guard(state, 'company') };
  const base = '/rest/v1.0/companies/:company_id/work_classifications';

  app.get(base, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const all = [...company.classifications.values()];
    const items = paginate(request, reply, all, pageRequest(request.query, 100, state.settings.maxPerPage));
    return items.map((w) => view(company, w));
  });

  app.get(`${base}/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const w = find(company, request);
    return w ? view(company, w) : sendV1(reply, 404, 'Not Found', 'not_found');
  });

  app.post(base, opts, async (request, reply) => {
    const ctx = companyCaller(request);
    const b = parse(request.body, reply);
    if (!b) return;
    const name = b.name?.trim() ?? '';
    if (!checkName(ctx.company, name, null, reply)) return;
    const now = state.now();
    const w: WorkClassification = {
      id: state.next('classification'),
      companyId: ctx.company.id,
      name,
      abbreviation: b.abbreviation ?? null,
      created_by_id: ctx.actor?.id ?? null,
      created_at: now,
      updated_at: now,
    };
    ctx.company.classifications.set(w.id, w);
    return reply.code(201).send(view(ctx.company, w));
  });

  app.patch(`${base}/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const w = find(company, request);
    if (!w) return sendV1(reply, 404, 'Not Found', 'not_found');
    const b = parse(request.body, reply);
    if (!b) return;
    if (b.name !== undefined) {
      const name = b.name.trim();
      if (!checkName(company, name, w.id, reply)) return;
      w.name = name;
    }
    if (b.abbreviation !== undefined) w.abbreviation = b.abbreviation;
    w.updated_at = state.now();
    return view(company, w);
  });

  app.delete(`${base}/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const w = find(company, request);
    if (!w) return sendV1(reply, 404, 'Not Found', 'not_found');
    if (inUse(company, w.id)) {
      return sendV1(reply, 403, 'Work classification is in use and cannot be deleted', 'not_deletable');
    }
    company.classifications.delete(w.id);
    return view(company, w);
  });
}

function parse(raw: unknown, reply: FastifyReply) {
  const r = body.safeParse(raw);
  if (r.success) return r.data.work_classification;
  void sendV1(
    reply,
    400,
    'param is missing or the value is empty: work_classification',
    'invalid_params',
    'work_classification',
  );
  return undefined;
}

function checkName(company: Company, name: string, selfId: number | null, reply: FastifyReply): boolean {
  if (name === '') {
    void sendV1(reply, 422, "Name can't be blank", 'validation_failed', 'name');
    return false;
  }
  const taken = [...company.classifications.values()].some(
    (w) => w.id !== selfId && w.name.toLowerCase() === name.toLowerCase(),
  );
  if (taken) {
    void sendV1(reply, 422, 'Name has already been taken', 'validation_failed', 'name');
    return false;
  }
  return true;
}

function find(company: Company, request: FastifyRequest): WorkClassification | undefined {
  const id = (request.params as { id?: string }).id;
  return id && /^\d+$/.test(id) ? company.classifications.get(Number(id)) : undefined;
}

function inUse(company: Company, id: number): boolean {
  for (const u of company.users.values()) if (u.work_classification_id === id) return true;
  for (const p of company.people.values())
    if (p.userId === null && p.work_classification_id === id) return true;
  return false;
}

function view(company: Company, w: WorkClassification) {
  return {
    id: w.id,
    name: w.name,
    abbreviation: w.abbreviation,
    company_id: company.id,
    deletable: !inUse(company, w.id),
    company_visible: true,
    created_at: isoSeconds(w.created_at),
    updated_at: isoSeconds(w.updated_at),
    created_by_id: w.created_by_id,
    project_ids: [],
  };
}
