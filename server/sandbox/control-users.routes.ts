import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { controlHelpers } from './control-helpers';
import { userCreateSchema, userPatchSchema } from './directory.service';
import type { SandboxHandle } from './handle';
import type { PermissionTemplate } from './model';
import { ACCESS_LEVEL_NAMES, COMPANY_TOOL_KEYS, PROJECT_TOOL_KEYS } from './permissions';

const level = z.enum(ACCESS_LEVEL_NAMES);
const templateBody = z
  .object({
    name: z.string().trim().min(1),
    /** company_tools: company tools (decides company admin); global: project tools. */
    type: z.enum(['company_tools', 'global']).default('company_tools'),
    tools: z.record(z.string(), level).default({}),
  })
  .strict()
  .superRefine((b, ctx) => {
    const known: readonly string[] = b.type === 'company_tools' ? COMPANY_TOOL_KEYS : PROJECT_TOOL_KEYS;
    for (const key of Object.keys(b.tools)) {
      if (!known.includes(key)) {
        ctx.addIssue({ code: 'custom', path: ['tools', key], message: `not one of ${known.join(', ')}` });
      }
    }
  });

/** Control API: directory changes made "in Procore by a person", each emitting its webhook. */
export function registerControlUserRoutes(app: FastifyInstance, sandbox: SandboxHandle): void {
  const { directory } = sandbox;
  const { parse, companyOr404, userView, personSource, directoryCall } = controlHelpers(sandbox);

  app.get<{ Params: { id: string }; Querystring: { search?: string; active?: string } }>(
    '/_sandbox/companies/:id/users',
    async (request, reply) => {
      const c = companyOr404(request.params.id, reply);
      if (!c) return;
      const term = request.query.search?.toLowerCase();
      const active = request.query.active === undefined ? undefined : request.query.active === 'true';
      const users = [...c.users.values()].filter(
        (u) =>
          (active === undefined || u.is_active === active) &&
          (!term ||
            `${u.first_name ?? ''} ${u.last_name} ${u.email_address ?? ''}`.toLowerCase().includes(term)),
      );
      return { items: users.map((u) => userView(c, u)) };
    },
  );

  // Permission templates and the tool levels they grant (what the permission manifest reports).
  app.get<{ Params: { id: string } }>(
    '/_sandbox/companies/:id/permission_templates',
    async (request, reply) => {
      const c = companyOr404(request.params.id, reply);
      return c && { items: c.permissionTemplates };
    },
  );
  app.post<{ Params: { id: string } }>(
    '/_sandbox/companies/:id/permission_templates',
    async (request, reply) => {
      const c = companyOr404(request.params.id, reply);
      const b = c && parse(templateBody, request.body, reply);
      if (!c || !b) return;
      const template: PermissionTemplate = {
        id: Math.max(5100, ...c.permissionTemplates.map((t) => t.id)) + 1,
        name: b.name,
        project_specific: false,
        type: b.type,
        tools: b.tools,
      };
      c.permissionTemplates.push(template);
      return reply.code(201).send(template);
    },
  );

  const withActor = { actor_user_id: z.number().int().optional() };
  app.post<{ Params: { id: string } }>('/_sandbox/companies/:id/users', async (request, reply) => {
    const c = companyOr404(request.params.id, reply);
    const b = c && parse(userCreateSchema.extend(withActor), request.body, reply);
    if (!c || !b) return;
    const { actor_user_id, ...input } = b;
    return directoryCall(reply, () =>
      reply.code(201).send(userView(c, directory.createUser(c, input, personSource(c, actor_user_id)))),
    );
  });

  app.patch<{ Params: { id: string; userId: string } }>(
    '/_sandbox/companies/:id/users/:userId',
    async (request, reply) => {
      const c = companyOr404(request.params.id, reply);
      const b = c && parse(userPatchSchema.extend(withActor), request.body, reply);
      if (!c || !b) return;
      const { actor_user_id, ...patch } = b;
      return directoryCall(reply, () =>
        userView(
          c,
          directory.updateUser(c, Number(request.params.userId), patch, personSource(c, actor_user_id)),
        ),
      );
    },
  );

  for (const [action, isActive] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post<{ Params: { id: string; userId: string } }>(
      `/_sandbox/companies/:id/users/:userId/${action}`,
      async (request, reply) => {
        const c = companyOr404(request.params.id, reply);
        if (!c) return;
        return directoryCall(reply, () =>
          userView(
            c,
            directory.updateUser(c, Number(request.params.userId), { is_active: isActive }, personSource(c)),
          ),
        );
      },
    );
  }

  // A contact (a person who is no user) deleted in Procore's Directory. Its timecard entries stay.
  app.delete<{ Params: { id: string; personId: string } }>(
    '/_sandbox/companies/:id/people/:personId',
    async (request, reply) => {
      const c = companyOr404(request.params.id, reply);
      if (!c) return;
      const person = c.people.get(Number(request.params.personId));
      if (!person || [...c.users.values()].some((u) => u.personId === person.id)) {
        return reply.code(404).send({ error: 'No contact with that id (a user is removed as a user)' });
      }
      c.people.delete(person.id);
      sandbox.state.touch(c);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { id: string; userId: string } }>(
    '/_sandbox/companies/:id/users/:userId',
    async (request, reply) => {
      const c = companyOr404(request.params.id, reply);
      if (!c) return;
      return directoryCall(reply, () => {
        directory.removeUser(c, Number(request.params.userId), personSource(c));
        return reply.code(204).send();
      });
    },
  );
}
