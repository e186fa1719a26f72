import { type ProcorePermissionTool, permissionManifestSchema } from './schemas';
import { type CallOptions, call, idSegment, requireCompany, type SessionContext } from './session';

/**
 * What the calling user may do: Procore's permission manifest (procore-api.md §2.5), and the one
 * question the app asks of it, "is this person a company admin?".
 */

export interface PermissionManifestOptions extends CallOptions {
  /** A project's manifest instead of the company's (`project_id` replaces `company_id`, §2.5). */
  projectId?: string;
}

export function permissionEndpoints(ctx: SessionContext) {
  return {
    /**
     * `GET /rest/v1.0/settings/permissions?company_id=` with `Procore-Company-Id`: the caller's
     * tools and access levels. With a user's token that is the user; with the service account's,
     * the app's own rights (§1.4). Failures are the usual typed errors (403 →
     * `ProcoreForbiddenError`, 404 → `ProcoreNotFoundError`, …).
     */
    async permissionManifest(o: PermissionManifestOptions = {}): Promise<ProcorePermissionTool[]> {
      const c = requireCompany(ctx);
      const query = o.projectId === undefined ? { company_id: c } : { project_id: idSegment(o.projectId) };
      const manifest = await call(ctx, {
        method: 'GET',
        path: '/rest/v1.0/settings/permissions',
        query,
        label: 'permission manifest',
        schema: permissionManifestSchema,
        signal: o.signal,
      });
      return manifest.tools;
    },
  };
}

export type PermissionEndpoints = ReturnType<typeof permissionEndpoints>;

/** Procore's access levels (§2.5), normalized; `other` is a level name this app does not know. */
export type AccessLevel = 'none' | 'read_only' | 'standard' | 'admin' | 'other';

export interface ToolAccess {
  /** The tool the names matched, or null when the manifest has none of that name. */
  tool: ProcorePermissionTool | null;
  /** The level as Procore wrote it (`"Read Only"`), or null when the tool or its level is missing. */
  levelName: string | null;
  /** The level normalized; `none` when the tool is missing from the manifest. */
  level: AccessLevel;
  /** What was seen, for a log line: `admin ("Admin"): Standard` or `no "admin" tool among 8 tools`. */
  seen: string;
}

export interface CompanyAdminAccess extends ToolAccess {
  /** True only when the manifest shows Admin on the company-level Admin tool. */
  isAdmin: boolean;
}

/**
 * The company Admin tool's names. §2.5: the live `name` strings are unconfirmed, so the tool is
 * matched case-insensitively on `name` or `friendly_name`, as "admin" or "company admin".
 */
export const ADMIN_TOOL_NAMES: readonly string[] = ['admin', 'company admin'];

const squash = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

function normalizeLevel(name: string | null | undefined): AccessLevel {
  if (name === null || name === undefined) return 'none';
  const key = name.toLowerCase().replace(/[^a-z]/g, '');
  switch (key) {
    case 'admin':
      return 'admin';
    case 'standard':
      return 'standard';
    case 'readonly':
      return 'read_only';
    case 'none':
    case 'noaccess':
    case '':
      return 'none';
    default:
      return 'other';
  }
}

const RANK: Record<AccessLevel, number> = { none: 0, other: 0, read_only: 1, standard: 2, admin: 3 };

/**
 * The caller's access to one tool. Tools whose `name` matches win over tools whose
 * `friendly_name` does; among several matches the highest level counts (one tool listed twice
 * must not hide a grant, and a level this app does not know never counts as Admin).
 */
export function toolAccess(
  tools: readonly ProcorePermissionTool[],
  names: string | readonly string[],
): ToolAccess {
  const wanted = new Set((typeof names === 'string' ? [names] : names).map(squash));
  const byName = tools.filter((t) => t.name != null && wanted.has(squash(t.name)));
  const candidates =
    byName.length > 0
      ? byName
      : tools.filter((t) => t.friendly_name != null && wanted.has(squash(t.friendly_name)));
  let best: ProcorePermissionTool | null = null;
  for (const t of candidates) {
    const rank = RANK[normalizeLevel(t.user_access_level?.name)];
    if (best === null || rank > RANK[normalizeLevel(best.user_access_level?.name)]) best = t;
  }
  const label = [...wanted].map((n) => `"${n}"`).join(' / ');
  if (best === null) {
    return {
      tool: null,
      levelName: null,
      level: 'none',
      seen: `no ${label} tool among ${tools.length} tools`,
    };
  }
  const levelName = best.user_access_level?.name ?? null;
  const shown = best.friendly_name ? ` ("${best.friendly_name}")` : '';
  return {
    tool: best,
    levelName,
    level: normalizeLevel(levelName),
    seen: `${best.name ?? '(no name)'}${shown}: ${levelName ?? 'no access level'}`,
  };
}

/**
 * Whether the manifest makes its user a company admin: Admin on the company-level Admin tool
 * (§2.5 working rule). The template's name plays no part; "Office Manager" can be an admin
 * template and "Admin Assistant" not. Pass a company manifest: a project's Admin tool is project
 * administration.
 */
export function companyAdminFrom(tools: readonly ProcorePermissionTool[]): CompanyAdminAccess {
  const access = toolAccess(tools, ADMIN_TOOL_NAMES);
  return { ...access, isAdmin: access.level === 'admin' };
}
