import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { AdminRule } from '../db/database';
import type { CompanySession } from '../procore/client';
import { classifyFailure } from '../procore/failure-policy';
import { companyAdminFrom } from '../procore/permissions';

/**
 * Who is a company admin, from Procore's own permissions (README, "Who may do what"):
 *
 *  1. the person's company permission manifest (procore-api.md §2.5): Admin on the company-level
 *     Admin tool makes a company admin, whatever their permission template is called;
 *  2. only when Procore refuses the manifest (403, 404, an answer we cannot read): the name of the
 *     person's company permission template, read from their own company-user record (§2.2), where
 *     a name saying "Admin" counts. A record without a template (some Procores leave the field
 *     out) is no admin by this rule.
 *
 * Every decision is logged with the rule that made it and what Procore showed.
 */
export interface CompanyAccess {
  isAdmin: boolean;
  rule: AdminRule;
  /** What Procore says the person may do, for a sentence: "Standard access to the Company Admin tool". */
  grants: string;
  /** What was seen, for the log: `admin ("Admin"): Standard`, or the template's name. */
  seen: string;
}

const ADMIN_TEMPLATE = /\badmin\b/i;

/** The part of a company-user record the fallback reads; the rest of the record is ignored. */
const templateHolder = z.looseObject({
  id: z.union([z.number(), z.string()]).transform(String),
  company_permission_template: z.looseObject({ name: z.string().nullish() }).nullish(),
});

export interface Person {
  id: string;
  name: string;
  login: string;
}

type PersonSession = Pick<CompanySession, 'companyId' | 'permissionManifest' | 'listCompanyUsers'>;

/**
 * The person's access in one company, read with *their* token (`procore.withAccessToken(token)
 * .forCompany(id)`): the manifest answers for whoever holds the token. Failures other than a
 * refused manifest (the app uninstalled, Procore unreachable) are thrown for the caller to judge.
 */
export async function readCompanyAccess(
  procore: PersonSession,
  person: Person,
  log: FastifyBaseLogger,
): Promise<CompanyAccess> {
  const companyId = procore.companyId;
  let manifestError: unknown;
  try {
    const admin = companyAdminFrom(await procore.permissionManifest());
    const access: CompanyAccess = {
      isAdmin: admin.isAdmin,
      rule: 'manifest',
      grants: admin.tool
        ? `${accessPhrase(admin.levelName, admin.level)} to the Company Admin tool`
        : 'no access to the Company Admin tool',
      seen: admin.seen,
    };
    log.info(
      { companyId, procoreUserId: person.id, rule: access.rule, isAdmin: access.isAdmin, seen: access.seen },
      'company admin decided by the permission manifest',
    );
    return access;
  } catch (err) {
    const { kind } = classifyFailure(err);
    // Uninstalled, unreachable, or a bug: no rule can decide, the caller says so.
    if (kind !== 'access' && kind !== 'permanent') throw err;
    manifestError = err;
  }

  const template = await templateOf(procore, person);
  const access: CompanyAccess =
    template === null
      ? {
          isAdmin: false,
          rule: 'template',
          grants: 'no company permission template in Procore',
          seen: 'no company permission template on the user record',
        }
      : {
          isAdmin: ADMIN_TEMPLATE.test(template),
          rule: 'template',
          grants: `the company permission template "${template}" in Procore`,
          seen: `template "${template}"`,
        };
  log.warn(
    {
      companyId,
      procoreUserId: person.id,
      rule: access.rule,
      isAdmin: access.isAdmin,
      seen: access.seen,
      manifestError: manifestError instanceof Error ? manifestError.message : String(manifestError),
    },
    'Procore refused the permission manifest: company admin decided by the permission template name',
  );
  return access;
}

/** The template name on the person's own company-user record; null when there is none. */
async function templateOf(procore: PersonSession, person: Person): Promise<string | null> {
  const search = person.login || person.name;
  for await (const user of procore.listCompanyUsers({ search })) {
    const parsed = templateHolder.safeParse(user);
    if (parsed.success && parsed.data.id === person.id) {
      const name = parsed.data.company_permission_template?.name?.trim();
      return name ? name : null;
    }
  }
  return null;
}

function accessPhrase(levelName: string | null, level: string): string {
  if (level === 'none' || !levelName) return 'no access';
  return `${levelName} access`;
}

/**
 * Why a connect is refused to someone who is not a company admin: who they are signed in as, what
 * Procore says they may do, and what to do next.
 */
export function notAdminMessage(userName: string, access: CompanyAccess): string {
  if (access.rule === 'manifest') {
    return `You're signed in as ${userName}, who has ${access.grants} in Procore. Ask a company admin to connect Worker Sync.`;
  }
  return `You're signed in as ${userName}, who has ${access.grants} (Procore did not let Worker Sync read your tool permissions, so the template decides, and it is not an admin template). Ask a company admin to connect Worker Sync.`;
}
