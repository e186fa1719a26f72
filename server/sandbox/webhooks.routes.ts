import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { companyCaller, guard } from './auth';
import { sendV2 } from './errors';
import type { Company, WebhookHook, WebhookTrigger } from './model';
import { pageRequest, paginate } from './pagination';
import { queryString } from './query';
import type { SandboxState } from './state';
import { deliveryV2, hookView, triggerView } from './webhook-views';

/** Resources a hook can trigger on; only Company Users events are emitted by the sandbox (§6.1, §9.14). */
const RESOURCES = [
  { category: 'Company', tool: 'Directory', name: 'Company Users', actions: ['create', 'update', 'delete'] },
  {
    category: 'Company',
    tool: 'Directory',
    name: 'Company Vendors',
    actions: ['create', 'update', 'delete'],
  },
  { category: 'Project', tool: 'Directory', name: 'Project Users', actions: ['create', 'update', 'delete'] },
];
const PAYLOAD_VERSIONS = ['v2.0', 'v3.0', 'v4.0'] as const;
const EVENT_TYPES = ['create', 'update', 'delete'] as const;

const hookBody = z.object({
  payload_version: z.enum(PAYLOAD_VERSIONS),
  // procore-api.md §6.1: lowercase a–z, 0–9 and '-'.
  namespace: z.string().regex(/^[a-z0-9-]+$/, 'may contain only a-z, 0-9 and -'),
  destination_url: z.url({ protocol: /^https?$/ }),
  destination_headers: z.object({ Authorization: z.string().nullable().optional() }).nullable().optional(),
});
const hookPatch = hookBody.partial().extend({ status: z.enum(['active', 'disabled']).optional() });
const triggerBody = z.object({
  resource_name: z.string().refine((n) => RESOURCES.some((r) => r.name === n), 'is not a webhook resource'),
  event_type: z.enum(EVENT_TYPES),
});

/** REST v2.0 webhooks (procore-api.md §6.1, §10.10): `{data: …}` bodies, string ids, DELETE 204. */
export function registerWebhookRoutes(app: FastifyInstance, state: SandboxState): void {
  const opts = { preHandler: guard(state, 'company') };
  const base = '/rest/v2.0/companies/:company_id/webhooks';
  const v2Page = (request: FastifyRequest) => pageRequest(request.query, 10, 100);

  app.get(`${base}/hooks`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const ns = queryString(request.query, 'namespace');
    const pv = queryString(request.query, 'payload_version');
    const hooks = [...company.hooks.values()].filter(
      (h) => (!ns || h.namespace === ns) && (!pv || h.payload_version === pv),
    );
    return { data: paginate(request, reply, hooks, v2Page(request)).map((h) => hookView(company, h)) };
  });

  app.post(`${base}/hooks`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const b = parse(hookBody, request.body, reply);
    if (!b) return;
    const now = state.now();
    const hook: WebhookHook = {
      id: String(state.next('hook')),
      companyId: company.id,
      namespace: b.namespace,
      payload_version: b.payload_version,
      destination_url: b.destination_url,
      authorization: b.destination_headers?.Authorization ?? null,
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    company.hooks.set(hook.id, hook);
    return reply.code(201).send({ data: hookView(company, hook) });
  });

  app.get(`${base}/hooks/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const hook = company.hooks.get((request.params as { id: string }).id);
    if (!hook) return notFound(reply);
    return { data: hookView(company, hook) };
  });

  app.patch(`${base}/hooks/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const hook = company.hooks.get((request.params as { id: string }).id);
    if (!hook) return notFound(reply);
    const b = parse(hookPatch, request.body, reply);
    if (!b) return;
    if (b.payload_version) hook.payload_version = b.payload_version;
    if (b.namespace) hook.namespace = b.namespace;
    if (b.destination_url) hook.destination_url = b.destination_url;
    if (b.destination_headers !== undefined)
      hook.authorization = b.destination_headers?.Authorization ?? null;
    if (b.status) hook.status = b.status;
    hook.updated_at = state.now();
    return { data: hookView(company, hook) };
  });

  app.delete(`${base}/hooks/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const id = (request.params as { id: string }).id;
    if (!company.hooks.delete(id)) return notFound(reply);
    for (const t of [...company.triggers.values()]) if (t.hookId === id) company.triggers.delete(t.id);
    return reply.code(204).send();
  });

  const withHook = (request: FastifyRequest, reply: FastifyReply) => {
    const { company } = companyCaller(request);
    const hook = company.hooks.get((request.params as { hook_id: string }).hook_id);
    if (!hook) void notFound(reply);
    return hook ? { company, hook } : undefined;
  };
  const addTrigger = (company: Company, hook: WebhookHook, t: z.infer<typeof triggerBody>) => {
    const exists = [...company.triggers.values()].some(
      (x) => x.hookId === hook.id && x.resource_name === t.resource_name && x.event_type === t.event_type,
    );
    if (exists) return null;
    const trigger: WebhookTrigger = {
      id: String(state.next('trigger')),
      hookId: hook.id,
      companyId: company.id,
      ...t,
    };
    company.triggers.set(trigger.id, trigger);
    return trigger;
  };

  app.get(`${base}/hooks/:hook_id/triggers`, opts, async (request, reply) => {
    const found = withHook(request, reply);
    if (!found) return;
    const triggers = [...found.company.triggers.values()].filter((t) => t.hookId === found.hook.id);
    return { data: paginate(request, reply, triggers, v2Page(request)).map(triggerView) };
  });

  app.post(`${base}/hooks/:hook_id/triggers`, opts, async (request, reply) => {
    const found = withHook(request, reply);
    const b = found && parse(triggerBody, request.body, reply);
    if (!found || !b) return;
    const trigger = addTrigger(found.company, found.hook, b);
    if (!trigger) return sendV2(reply, 400, 'Trigger already exists for this hook', [dup(b)]);
    return reply.code(201).send({ data: triggerView(trigger) });
  });

  // The bulk body is a bare array (procore-api.md §10.10); 207 when some items fail.
  app.post(`${base}/hooks/:hook_id/triggers/bulk`, opts, async (request, reply) => {
    const found = withHook(request, reply);
    const items = found && parse(z.array(triggerBody).min(1), request.body, reply);
    if (!found || !items) return;
    const results = items.map((t) => {
      const trigger = addTrigger(found.company, found.hook, t);
      return trigger
        ? triggerView(trigger)
        : { ...t, error: { code: 'BAD_REQUEST', message: 'Trigger already exists' } };
    });
    const failed = results.some((r) => 'error' in r);
    return reply.code(failed ? 207 : 201).send({ data: results });
  });

  app.delete(`${base}/hooks/:hook_id/triggers/bulk`, opts, async (request, reply) => {
    const found = withHook(request, reply);
    const ids = found && parse(z.array(z.coerce.string()).min(1), request.body, reply);
    if (!found || !ids) return;
    const succeeded: string[] = [];
    const failed: string[] = [];
    for (const id of ids) {
      const t = found.company.triggers.get(id);
      if (t && t.hookId === found.hook.id && found.company.triggers.delete(id)) succeeded.push(id);
      else failed.push(id);
    }
    if (failed.length > 0) return reply.code(207).send({ data: { succeeded, failed } });
    return { data: { succeeded } };
  });

  app.delete(`${base}/hooks/:hook_id/triggers/:id`, opts, async (request, reply) => {
    const found = withHook(request, reply);
    if (!found) return;
    const id = (request.params as { id: string }).id;
    const t = found.company.triggers.get(id);
    if (!t || t.hookId !== found.hook.id) return notFound(reply);
    found.company.triggers.delete(id);
    return reply.code(204).send();
  });

  app.get(`${base}/hooks/:hook_id/deliveries`, opts, async (request, reply) => {
    const found = withHook(request, reply);
    if (!found) return;
    const q = request.query;
    // §9.10: the filter enum says `succeeded` where the response says `delivered`; accept both.
    const statusFilter = queryString(q, 'filter[status]') ?? queryString(q, 'filters[status]');
    const wanted = statusFilter === 'succeeded' ? 'delivered' : statusFilter;
    const resource = queryString(q, 'filter[resource_name]');
    const event = queryString(q, 'filter[event_type]');
    const start = queryString(q, 'filter[start]');
    const end = queryString(q, 'filter[end]');
    const from = start ? Date.parse(`${start}T00:00:00Z`) : Number.NEGATIVE_INFINITY;
    const to = end ? Date.parse(`${end}T00:00:00Z`) + 86_400_000 - 1 : Number.POSITIVE_INFINITY;
    const items = state.deliveries
      .filter(
        (d) =>
          d.hookId === found.hook.id &&
          (!wanted || d.status === wanted) &&
          (!resource || d.resource_name === resource) &&
          (!event || d.event_type === event) &&
          d.created_at >= from &&
          d.created_at <= to,
      )
      .reverse();
    return { data: paginate(request, reply, items, v2Page(request)).map(deliveryV2) };
  });

  app.get(`${base}/resources`, opts, async (request, reply) => {
    const pv = queryString(request.query, 'payload_version');
    if (!pv || !(PAYLOAD_VERSIONS as readonly string[]).includes(pv)) {
      return sendV2(reply, 400, 'payload_version is required', [
        {
          reason_code: 'invalid_parameter',
          message: 'payload_version must be one of v2.0, v3.0, v4.0',
          source: 'payload_version',
        },
      ]);
    }
    return { data: RESOURCES.map((r) => ({ ...r, payload_version: pv })) };
  });
}

function parse<T extends z.ZodType>(schema: T, body: unknown, reply: FastifyReply): z.infer<T> | undefined {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  void sendV2(
    reply,
    400,
    'Invalid request body',
    r.error.issues.map((i) => ({
      reason_code: 'invalid_parameter',
      message: i.message,
      source: i.path.join('.'),
    })),
  );
  return undefined;
}

function notFound(reply: FastifyReply) {
  return sendV2(reply, 404, 'Not Found', [{ reason_code: 'not_found', message: 'Resource not found' }]);
}

function dup(t: { resource_name: string; event_type: string }) {
  return {
    reason_code: 'duplicate',
    message: `${t.resource_name} ${t.event_type} already exists`,
    source: 'event_type',
  };
}
