import type {
  AccessLevelName,
  Company,
  CompanyUser,
  PermissionTemplate,
  PermittedAction,
  Project,
} from './model';
import type { SandboxSettings } from './settings';

/**
 * The permission manifest (procore-api.md §2.5): what the signed-in user may do, tool by tool.
 * Procore derives it from the user's permission templates; so does the sandbox (seed-data.ts
 * holds each template's levels). Tool names, ids, tab groups and URLs are the sandbox's own: only
 * the field names and types are documented (PYSDK models, §2.5), and the Admin tool's names are a
 * setting because they are unconfirmed.
 */

interface ToolDefinition {
  /** Key in a template's `tools`. */
  key: string;
  id: number;
  name: string;
  friendly_name: string;
  domain_id: number;
  tab_group: string;
  /** Whether Standard or Admin on the tool lets the user create items in it. */
  creates: boolean;
}

const tool = (
  key: string,
  id: number,
  friendly_name: string,
  tab_group: string,
  domain_id: number,
  creates: boolean,
): ToolDefinition => ({ key, id, name: key, friendly_name, domain_id, tab_group, creates });

/** Company-level tools; §2.5 names Admin (company administration) and Directory among them. */
const COMPANY_TOOLS: readonly ToolDefinition[] = [
  tool('admin', 101, 'Admin', 'core_tools', 1, false),
  tool('directory', 102, 'Directory', 'core_tools', 1, true),
  tool('documents', 103, 'Documents', 'core_tools', 1, true),
  tool('portfolio', 104, 'Portfolio', 'core_tools', 1, true),
  tool('reports', 105, 'Reports', 'core_tools', 1, true),
  tool('timecard', 106, 'Timecard', 'resource_management', 4, true),
  tool('workforce_planning', 107, 'Workforce Planning', 'resource_management', 4, true),
  tool('erp_integrations', 108, 'ERP Integrations', 'financial_management', 3, false),
];

const PROJECT_TOOLS: readonly ToolDefinition[] = [
  tool('admin', 201, 'Admin', 'core_tools', 1, false),
  tool('directory', 202, 'Directory', 'core_tools', 1, true),
  tool('documents', 203, 'Documents', 'core_tools', 1, true),
  tool('drawings', 204, 'Drawings', 'project_management', 2, true),
  tool('daily_log', 205, 'Daily Log', 'project_management', 2, true),
  tool('timesheets', 206, 'Timesheets', 'resource_management', 4, true),
];

/** The sandbox's ids for the levels (Procore's are unconfirmed; clients should read `name`). */
const LEVEL_IDS: Record<AccessLevelName, number> = { None: 0, 'Read Only': 1, Standard: 2, Admin: 3 };

/**
 * The app's service account (DMSA) is a directory user whose rights are the app's declared
 * permissions, applied at install (§1.4): this app asks for Directory read-only (and the Webhooks
 * API, which is not a tool in the manifest). It is never a company admin.
 */
const SERVICE_ACCOUNT_TOOLS: PermissionTemplate['tools'] = { directory: 'Read Only' };

function templateOf(company: Company, id: number | null): PermissionTemplate | undefined {
  return id === null ? undefined : company.permissionTemplates.find((t) => t.id === id);
}

/** The user's company template, or none (every company tool at None). */
export function companyTemplateOf(company: Company, user: CompanyUser): PermissionTemplate | undefined {
  const t = templateOf(company, user.company_permission_template_id);
  return t?.type === 'company_tools' ? t : undefined;
}

/** Company admin = Admin on the company Admin tool (§2.5 working rule), not the template's name. */
export function isCompanyAdmin(company: Company, user: CompanyUser): boolean {
  return !user.isServiceAccount && companyTemplateOf(company, user)?.tools.admin === 'Admin';
}

export type ManifestRequest = { level: 'company' } | { level: 'project'; project: Project };

/** `{ tools: [...] }` for one caller, at company or project level (§2.5). */
export function permissionManifest(
  settings: SandboxSettings,
  company: Company,
  user: CompanyUser,
  request: ManifestRequest,
) {
  const project = request.level === 'project' ? request.project : null;
  const definitions = project ? PROJECT_TOOLS : COMPANY_TOOLS;
  let template: PermissionTemplate | undefined;
  if (!user.isServiceAccount) {
    template = project
      ? templateOf(company, user.default_permission_template_id)
      : companyTemplateOf(company, user);
  }
  const levels = user.isServiceAccount ? (project ? {} : SERVICE_ACCOUNT_TOOLS) : (template?.tools ?? {});
  const base = project ? `/${project.id}/project` : `/${company.id}/company`;
  return {
    tools: definitions.map((d) => {
      const level = levels[d.key] ?? 'None';
      const admin = !project && d.key === 'admin';
      const url = `${base}/${d.key}`;
      const canCreate = d.creates && (level === 'Standard' || level === 'Admin');
      const actions: PermittedAction[] = level === 'Admin' ? [] : (template?.actions?.[d.key] ?? []);
      return {
        id: d.id,
        name: admin ? settings.permissions.adminToolName : d.name,
        friendly_name: admin ? settings.permissions.adminToolFriendlyName : d.friendly_name,
        domain_id: d.domain_id,
        tab_group: d.tab_group,
        available_for_user: level !== 'None',
        url,
        user_access_level: { id: LEVEL_IDS[level], name: level },
        permitted_actions: actions.map((a) => ({ ...a, tool_name: d.key })),
        create_url: canCreate ? `${url}/new` : null,
        can_create: canCreate,
        trial: false,
      };
    }),
  };
}

/** The company tools a template may set (for the control API's template editor). */
export const COMPANY_TOOL_KEYS = COMPANY_TOOLS.map((d) => d.key);
export const PROJECT_TOOL_KEYS = PROJECT_TOOLS.map((d) => d.key);
export const ACCESS_LEVEL_NAMES = [
  'None',
  'Read Only',
  'Standard',
  'Admin',
] as const satisfies readonly AccessLevelName[];
