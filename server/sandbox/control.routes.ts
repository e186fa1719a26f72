import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { controlHelpers } from './control-helpers';
import { registerControlUserRoutes } from './control-users.routes';
import { faultRuleSchema, faultView, makeFaultRule } from './faults';
import type { SandboxHandle } from './handle';
import { createRng } from './prng';
import { newCompany } from './seed';
import { installServiceAccount, uninstallApp } from './service-account';
import { applySettingsPatch, settingsPatchSchema } from './settings';
import { issueServiceToken, issueUserToken } from './tokens';
import { deliveryView } from './webhook-dispatcher';

/**
 * The control API (server/sandbox/README.md): no auth, stable shapes. Lists answer
 * `{ items: [...] }`, errors `{ error: { code, message } }`.
 */
export function registerControlRoutes(app: FastifyInstance, sandbox: SandboxHandle): void {
  const { state } = sandbox;
  const { fail, parse, companyOr404, summary, personSource } = controlHelpers(sandbox);

  app.get('/_sandbox', async () => ({
    companies: [...state.companies.values()].map(summary),
    settings: state.settings,
    now: new Date(state.now()).toISOString(),
  }));

  const resetBody = z
    .object({
      seed: z.number().int().optional(),
      users: z.number().int().min(0).max(200_000).optional(),
      settings: settingsPatchSchema.optional(),
    })
    .strict();
  app.post('/_sandbox/reset', async (request, reply) => {
    const b = parse(resetBody, request.body, reply);
    if (!b) return;
    sandbox.reset({ seed: b.seed, users: b.users }, b.settings);
    return { companies: [...state.companies.values()].map(summary), settings: state.settings };
  });

  app.get('/_sandbox/settings', async () => state.settings);
  app.patch('/_sandbox/settings', async (request, reply) => {
    const b = parse(settingsPatchSchema, request.body, reply);
    if (!b) return;
    applySettingsPatch(state.settings, b);
    return state.settings;
  });

  app.post('/_sandbox/clock', async (request, reply) => {
    const b = parse(z.object({ advance_seconds: z.number() }).strict(), request.body, reply);
    if (!b) return;
    state.clockOffsetMs += b.advance_seconds * 1000;
    return { now: new Date(state.now()).toISOString(), offset_seconds: state.clockOffsetMs / 1000 };
  });

  app.get('/_sandbox/companies', async () => ({ items: [...state.companies.values()].map(summary) }));

  const companyBody = z
    .object({
      name: z.string().min(1),
      id: z.number().int().positive().optional(),
      installed: z.boolean().default(true),
    })
    .strict();
  app.post('/_sandbox/companies', async (request, reply) => {
    const b = parse(companyBody, request.body, reply);
    if (!b) return;
    const id = b.id ?? state.next('company');
    if (state.companies.has(id)) return fail(reply, 409, 'conflict', `Company ${id} exists`);
    const c = newCompany(state, id, b.name, state.now());
    if (b.installed) installServiceAccount(state, c, createRng(id));
    return reply.code(201).send(summary(c));
  });

  app.get<{ Params: { id: string } }>('/_sandbox/companies/:id', async (request, reply) => {
    const c = companyOr404(request.params.id, reply);
    return c && summary(c);
  });

  app.post<{ Params: { id: string } }>('/_sandbox/companies/:id/install', async (request, reply) => {
    const c = companyOr404(request.params.id, reply);
    if (!c) return;
    const wasInstalled = c.installed;
    const { user, created } = installServiceAccount(state, c);
    if (!wasInstalled)
      sandbox.dispatcher.emit(c, 'Company Users', created ? 'create' : 'update', user.id, personSource(c));
    return summary(c);
  });
  app.post<{ Params: { id: string } }>('/_sandbox/companies/:id/uninstall', async (request, reply) => {
    const c = companyOr404(request.params.id, reply);
    if (!c) return;
    uninstallApp(state, c);
    return summary(c);
  });

  registerControlUserRoutes(app, sandbox);

  const tokenBody = z
    .object({
      user_id: z.number().int().optional(),
      service_account: z.boolean().optional(),
      expires_in: z.number().int().positive().optional(),
    })
    .strict();
  app.post('/_sandbox/tokens', async (request, reply) => {
    const b = parse(tokenBody, request.body, reply);
    if (!b) return;
    if (b.service_account) return issueServiceToken(state, b.expires_in);
    if (b.user_id === undefined || !state.logins.has(b.user_id)) {
      return fail(reply, 400, 'invalid_input', 'user_id of an existing user, or service_account: true');
    }
    return issueUserToken(state, b.user_id, b.expires_in);
  });

  app.delete('/_sandbox/rate-limits', async () => {
    state.rateWindows.clear();
    return { ok: true };
  });

  app.get('/_sandbox/faults', async () => ({ items: state.faults.map(faultView) }));
  app.post('/_sandbox/faults', async (request, reply) => {
    const b = parse(faultRuleSchema, request.body, reply);
    if (!b) return;
    const rule = makeFaultRule(b);
    state.faults.push(rule);
    return reply.code(201).send(faultView(rule));
  });
  app.delete('/_sandbox/faults', async () => {
    state.faults = [];
    return { ok: true };
  });
  app.delete<{ Params: { id: string } }>('/_sandbox/faults/:id', async (request) => {
    state.faults = state.faults.filter((f) => f.id !== request.params.id);
    return { ok: true };
  });

  app.get<{ Querystring: { company_id?: string; hook_id?: string; status?: string; resource_id?: string } }>(
    '/_sandbox/deliveries',
    async (request) => {
      const q = request.query;
      const items = state.deliveries.filter(
        (d) =>
          (!q.company_id || String(d.companyId) === q.company_id) &&
          (!q.hook_id || d.hookId === q.hook_id) &&
          (!q.status || d.status === q.status) &&
          (!q.resource_id || String(d.resource_id) === q.resource_id),
      );
      return { items: items.map(deliveryView) };
    },
  );
  app.delete('/_sandbox/deliveries', async () => {
    state.deliveries = [];
    return { ok: true };
  });

  app.get<{ Querystring: { method?: string; path_prefix?: string; after_id?: string } }>(
    '/_sandbox/requests',
    async (request) => {
      const q = request.query;
      const after = q.after_id ? Number(q.after_id) : 0;
      const items = state.requests.filter(
        (r) =>
          r.id > after &&
          (!q.method || r.method === q.method.toUpperCase()) &&
          (!q.path_prefix || r.path.startsWith(q.path_prefix)),
      );
      return { items };
    },
  );
  app.delete('/_sandbox/requests', async () => {
    state.requests = [];
    return { ok: true };
  });
}
