import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { type ChangeSource, DirectoryError } from './directory.service';
import type { SandboxHandle } from './handle';
import type { Company, CompanyUser } from './model';
import { isCompanyAdmin } from './permissions';
import { COMPANY_STANDARD_TEMPLATE_ID } from './seed-data';
import { userListItemV10 } from './user-views';

/** Shared pieces of the control API: error replies, body parsing, company lookup, views. */
export function controlHelpers(sandbox: SandboxHandle) {
  const { state } = sandbox;
  const fail = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).send({ error: { code, message } });
  const parse = <T extends z.ZodType>(
    schema: T,
    body: unknown,
    reply: FastifyReply,
  ): z.infer<T> | undefined => {
    const r = schema.safeParse(body ?? {});
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    void fail(
      reply,
      400,
      'invalid_input',
      `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
    return undefined;
  };
  const companyOr404 = (id: string, reply: FastifyReply): Company | undefined => {
    const c = /^\d+$/.test(id) ? state.company(Number(id)) : undefined;
    if (!c) void fail(reply, 404, 'not_found', `No company ${id}`);
    return c;
  };
  const userView = (c: Company, u: CompanyUser) => ({
    ...userListItemV10(c, u),
    person_id: u.personId,
    is_service_account: u.isServiceAccount,
    is_company_admin: isCompanyAdmin(c, u),
  });
  /** Changes made "in Procore by a person": the company's first admin unless told otherwise. */
  const personSource = (c: Company, actor?: number): ChangeSource => ({
    userId: actor ?? [...c.users.values()].find((u) => isCompanyAdmin(c, u))?.id ?? null,
    applicationId: null,
  });
  const summary = (c: Company) => {
    const users = [...c.users.values()];
    return {
      id: c.id,
      name: c.name,
      installed: c.installed,
      service_account_user_id: c.serviceAccountUserId,
      active_users: users.filter((u) => u.is_active).length,
      inactive_users: users.filter((u) => !u.is_active).length,
      admin_user_ids: users.filter((u) => isCompanyAdmin(c, u)).map((u) => u.id),
      standard_user_ids: users
        .filter((u) => u.company_permission_template_id === COMPANY_STANDARD_TEMPLATE_ID)
        .map((u) => u.id),
      project_ids: [...c.projects.keys()],
      work_classification_ids: [...c.classifications.keys()],
      hooks: c.hooks.size,
    };
  };
  const directoryCall = <T>(reply: FastifyReply, fn: () => T) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DirectoryError) return fail(reply, err.status, 'invalid_input', err.message);
      throw err;
    }
  };

  return { fail, parse, companyOr404, userView, personSource, summary, directoryCall };
}
