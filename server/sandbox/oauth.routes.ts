import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { renderAuthorizeError, renderAuthorizePage, renderOobCode } from './authorize-page';
import { sendOAuth } from './errors';
import { opaqueToken } from './ids';
import type { SandboxState } from './state';
import { issueServiceToken, issueUserToken, revokeToken } from './tokens';

const OOB = 'urn:ietf:wg:oauth:2.0:oob';

const authorizeQuery = z.object({
  response_type: z.string().optional(),
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  state: z.string().optional(),
});

const decisionBody = authorizeQuery.extend({
  user_id: z.coerce.number().int().optional(),
  decision: z.enum(['allow', 'deny']),
});

const tokenBody = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  refresh_token: z.string().optional(),
});

/** procore-api.md §1.2–§1.3: the login host's OAuth endpoints. */
export function registerOAuthRoutes(app: FastifyInstance, state: SandboxState): void {
  app.get('/oauth/authorize', async (request, reply) => {
    const q = authorizeQuery.parse(request.query ?? {});
    const problem = checkClient(state, q.client_id, q.redirect_uri);
    if (problem) return reply.code(400).type('text/html').send(renderAuthorizeError(problem));
    if (q.response_type !== 'code') {
      return redirectWith(reply, q.redirect_uri ?? '', {
        error: 'unsupported_response_type',
        state: q.state,
      });
    }
    return reply.type('text/html').send(renderAuthorizePage(state, q));
  });

  app.post('/oauth/authorize', async (request, reply) => {
    const parsed = decisionBody.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply.code(400).type('text/html').send(renderAuthorizeError('Malformed request.'));
    const b = parsed.data;
    const problem = checkClient(state, b.client_id, b.redirect_uri);
    if (problem) return reply.code(400).type('text/html').send(renderAuthorizeError(problem));
    const redirectUri = b.redirect_uri ?? '';
    if (b.decision === 'deny') {
      return redirectWith(reply, redirectUri, {
        error: 'access_denied',
        error_description: 'The resource owner or authorization server denied the request.',
        state: b.state,
      });
    }
    if (b.user_id === undefined || !state.logins.has(b.user_id)) {
      return reply.code(400).type('text/html').send(renderAuthorizeError('Choose a person to sign in as.'));
    }
    const code = opaqueToken(24);
    state.codes.set(code, {
      code,
      userId: b.user_id,
      clientId: b.client_id ?? '',
      redirectUri,
      expiresAt: state.now() + state.settings.codeLifetimeSeconds * 1000,
      used: false,
    });
    if (redirectUri === OOB) return reply.type('text/html').send(renderOobCode(code));
    return redirectWith(reply, redirectUri, { code, state: b.state });
  });

  app.post('/oauth/token', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const parsed = tokenBody.safeParse(request.body ?? {});
    if (!parsed.success)
      return sendOAuth(reply, 400, 'invalid_request', 'The request is missing a required parameter.');
    const b = { ...basicCredentials(request), ...stripEmpty(parsed.data) };
    // procore-api.md §1.3: any refresh call, successful or not, kills the presented refresh token —
    // even one that fails client authentication.
    const presented =
      b.grant_type === 'refresh_token' && b.refresh_token
        ? state.refreshTokens.get(b.refresh_token)
        : undefined;
    const presentedWasLive = presented !== undefined && !presented.used;
    if (presented) presented.used = true;
    if (!clientAuthenticated(state, b.client_id, b.client_secret)) {
      return sendOAuth(
        reply,
        401,
        'invalid_client',
        'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      );
    }
    switch (b.grant_type) {
      case 'authorization_code': {
        const code = b.code ? state.codes.get(b.code) : undefined;
        const valid =
          code && !code.used && code.expiresAt > state.now() && code.redirectUri === b.redirect_uri;
        if (code) code.used = true; // single-use, even when the exchange fails (§1.2)
        if (!code || !valid) {
          return sendOAuth(
            reply,
            400,
            'invalid_grant',
            'The authorization code is invalid, expired, or was already used.',
          );
        }
        return issueUserToken(state, code.userId);
      }
      case 'refresh_token': {
        const refresh = presented;
        if (!refresh || !presentedWasLive || !state.logins.has(refresh.userId)) {
          // §8/§10.5: Procore's text for a replayed refresh token; RFC 6749 §5.2 status 400.
          return sendOAuth(reply, 400, 'invalid_grant', 'The refresh token is invalid');
        }
        return issueUserToken(state, refresh.userId);
      }
      case 'client_credentials':
        return issueServiceToken(state);
      default:
        return sendOAuth(
          reply,
          400,
          'unsupported_grant_type',
          'The authorization grant type is not supported.',
        );
    }
  });

  app.get('/oauth/token/info', async (request, reply) => {
    const match = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '');
    const access = match?.[1] ? state.accessTokens.get(match[1]) : undefined;
    if (!access || access.revoked || access.expiresAt <= state.now()) {
      return sendOAuth(reply, 401, 'invalid_token', 'The access token is invalid');
    }
    return {
      resource_owner_id: access.userId,
      scopes: [],
      expires_in_seconds: Math.max(0, Math.floor((access.expiresAt - state.now()) / 1000)),
      application: { uid: access.clientId },
      created_at: Math.floor(access.createdAt / 1000),
    };
  });

  // procore-api.md §1.2: 200 even for an unknown token; revokes the access and the refresh token.
  app.post('/oauth/revoke', async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.token === 'string') revokeToken(state, body.token);
    return {};
  });
}

function stripEmpty<T extends Record<string, string | undefined>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

function basicCredentials(request: FastifyRequest): { client_id?: string; client_secret?: string } {
  const match = /^Basic\s+(\S+)/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return {};
  const [id, secret] = Buffer.from(match[1], 'base64').toString().split(':');
  return { client_id: id, client_secret: secret };
}

function clientAuthenticated(state: SandboxState, id?: string, secret?: string): boolean {
  if (id !== state.settings.clientId || secret === undefined) return false;
  const a = Buffer.from(secret);
  const b = Buffer.from(state.settings.clientSecret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkClient(state: SandboxState, clientId?: string, redirectUri?: string): string | null {
  if (clientId !== state.settings.clientId) return `Unknown client "${clientId ?? ''}".`;
  if (!redirectUri) return 'The redirect_uri parameter is missing.';
  if (redirectUri === OOB) return null;
  if (!/^https?:\/\/[^\s]+$/.test(redirectUri)) return 'The redirect_uri is not a valid URL.';
  const allowed = state.settings.redirectUris;
  if (allowed.length > 0 && !allowed.some((prefix) => redirectUri.startsWith(prefix))) {
    return 'The redirect_uri is not registered for this application.';
  }
  return null;
}

function redirectWith(reply: FastifyReply, uri: string, params: Record<string, string | undefined>) {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}
