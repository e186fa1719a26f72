import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendRestError } from './errors';
import type { AccessToken, Company, CompanyUser } from './model';
import { countRequest, RATE_LIMIT_MESSAGE, setRateHeaders } from './rate-limit';
import type { SandboxState } from './state';

/** Who is calling, as the guard proved it. Kept off the request type so nothing global changes. */
export interface CallerContext {
  token: AccessToken;
  /** The company the call is scoped to (path, query or Procore-Company-Id header). */
  company: Company | null;
  /** The directory user acting: the login's company user, or the company's service account. */
  actor: CompanyUser | null;
}

const contexts = new WeakMap<FastifyRequest, CallerContext>();

export function callerOf(request: FastifyRequest): CallerContext {
  const ctx = contexts.get(request);
  if (!ctx) throw new Error('route is missing the sandbox guard');
  return ctx;
}

/** Company-scoped context, for routes guarded with scope 'company'. */
export function companyCaller(request: FastifyRequest): CallerContext & { company: Company } {
  const ctx = callerOf(request);
  if (!ctx.company) throw new Error('route is not company-scoped');
  return ctx as CallerContext & { company: Company };
}

export type GuardScope =
  /** `/rest/v1.0/me`, `/rest/v1.0/companies`: no company header needed for user tokens (§1.5). */
  | 'directory'
  /** Everything under a company: header required, app must be installed, caller must belong. */
  | 'company';

const COMPANY_HEADER = 'procore-company-id';

/**
 * The rules every REST route enforces (procore-api.md §1.4, §1.5, §7, §8): a live bearer token
 * (401), rate limits counted for every authenticated request (429), the Procore-Company-Id header
 * (§1.5 text), 404 for a company the caller cannot see, 403 "App is not connected to this
 * company" where the app is not installed.
 */
export function guard(state: SandboxState, scope: GuardScope) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    const token = bearerToken(state, request);
    if (!token.ok) {
      reply.header(
        'WWW-Authenticate',
        `Bearer realm="Procore", error="invalid_token", error_description="${token.message}"`,
      );
      return sendRestError(reply, url, 401, token.message, token.reason);
    }
    const access = token.access;
    const headerRaw = request.headers[COMPANY_HEADER];
    const headerValue = Array.isArray(headerRaw) ? headerRaw[0] : headerRaw;
    const headerCompanyId = headerValue && /^\d+$/.test(headerValue.trim()) ? Number(headerValue) : null;
    const scopedId = scopedCompanyId(request);

    // Rate limits: per token; per token and company for the service account (§7, legacy doc).
    const rateCompany = scopedId ?? headerCompanyId;
    const key =
      access.kind === 'service_account' && rateCompany !== null
        ? `${access.token}:${rateCompany}`
        : access.token;
    const verdict = countRequest(state, key);
    setRateHeaders(reply, verdict);
    const ctx: CallerContext = { token: access, company: null, actor: null };
    contexts.set(request, ctx);
    if (verdict.exceeded) {
      if (state.settings.retryAfterOn429) {
        reply.header('Retry-After', String(Math.max(1, verdict.reset - Math.floor(state.now() / 1000))));
      }
      return sendRestError(reply, url, 429, RATE_LIMIT_MESSAGE, 'rate_limited');
    }

    const needsHeader =
      scope === 'company' ||
      (access.kind === 'service_account' &&
        (state.settings.requireCompanyHeaderForServiceAccountDirectory ||
          request.routeOptions.url === '/rest/v1.0/me'));
    if (needsHeader && headerCompanyId === null) {
      return sendRestError(
        reply,
        url,
        state.settings.missingCompanyHeaderStatus,
        'Missing Procore-Company-Id header!',
        'missing_company_header',
      );
    }
    if (
      scope === 'company' &&
      scopedId !== null &&
      headerCompanyId !== null &&
      scopedId !== headerCompanyId
    ) {
      return sendRestError(
        reply,
        url,
        400,
        'The Procore-Company-Id header does not match the company in the request',
        'company_header_mismatch',
      );
    }
    const companyId = scopedId ?? headerCompanyId;
    if (companyId === null) return; // directory scope, user token, no company named
    const company = state.company(companyId);
    const actor =
      company && access.kind === 'user'
        ? (company.users.get(access.userId ?? -1) ?? null)
        : company?.serviceAccountUserId != null
          ? (company.users.get(company.serviceAccountUserId) ?? null)
          : null;
    const visible = company && (access.kind === 'service_account' ? company.installed : actor?.is_active);
    if (!company || (access.kind === 'user' && !visible)) {
      return sendRestError(reply, url, 404, 'Not Found', 'not_found');
    }
    if (!company.installed) {
      return sendRestError(reply, url, 403, 'App is not connected to this company', 'app_not_connected');
    }
    ctx.company = company;
    ctx.actor = actor;
  };
}

type TokenCheck = { ok: true; access: AccessToken } | { ok: false; message: string; reason: string };

function bearerToken(state: SandboxState, request: FastifyRequest): TokenCheck {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return { ok: false, message: 'The access token is missing', reason: 'missing_token' };
  const access = state.accessTokens.get(match[1]);
  if (!access) return { ok: false, message: 'The access token is invalid', reason: 'invalid_token' };
  if (access.revoked) return { ok: false, message: 'The access token was revoked', reason: 'revoked_token' };
  if (access.expiresAt <= state.now()) {
    return { ok: false, message: 'The access token expired', reason: 'expired_token' };
  }
  if (access.kind === 'user' && !state.logins.has(access.userId ?? -1)) {
    return { ok: false, message: 'The access token is invalid', reason: 'invalid_token' };
  }
  return { ok: true, access };
}

/** The company a route names in its path (`company_id`) or query (`?company_id=`). */
function scopedCompanyId(request: FastifyRequest): number | null {
  const params = request.params as Record<string, string | undefined> | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  const raw = params?.company_id ?? (typeof query?.company_id === 'string' ? query.company_id : undefined);
  return raw && /^\d+$/.test(raw) ? Number(raw) : null;
}

/** Looks up the caller's access token without enforcing anything (for logging). */
export function peekToken(state: SandboxState, request: FastifyRequest): AccessToken | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ? (state.accessTokens.get(match[1]) ?? null) : null;
}
