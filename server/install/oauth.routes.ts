import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hashSecret, newOneTimeSecret } from '../auth/session';
import type { FrameSession } from '../auth/sessions.service';
import { AppError } from '../errors';
import { classifyFailure } from '../procore/failure-policy';
import type { Services } from '../services';
import { ConnectRefused, completeSignIn } from './connect.service';
import { type SessionResponse, sessionResponseSchema } from './connection.schemas';
import { insertHandoff, insertOAuthState, useHandoff, useOAuthState } from './oauth.repository';
import { createStartLimit } from './start-limit';

/**
 * Flow 1 of design.md. The popup (a first-party window on the app's origin) runs the OAuth code
 * flow; the callback records the sign-in and hands a one-time code to the iframe through the popup
 * page, and the iframe trades it for a session token and the sign-in's refresh handle. The `state`
 * is bound to the popup by a cookie set when the popup started, and both `state` and the one-time
 * code are single use.
 *
 * The refresh handle also goes into a partitioned cookie (CHIPS: `SameSite=None; Secure;
 * Partitioned`), set from the iframe's own request, so it lives in the Procore page's partition:
 * a reload of that page finds it even where the browser refuses the frame any storage, and no
 * other site's page ever sends it (README, "Sessions").
 */
const STATE_TTL_MS = 10 * 60 * 1000;
const HANDOFF_TTL_MS = 2 * 60 * 1000;
const NONCE_COOKIE = 'pws_oauth_nonce';
/** One cookie per company: one Procore page can frame the app for several companies. */
const handleCookie = (companyId: string) => `__Host-pws_session_${companyId}`;

const companyId = z.string().regex(/^\d{1,19}$/, 'must be a Procore company id');

export function oauthRoutes(
  services: Pick<Services, 'config' | 'db' | 'connect' | 'companies' | 'hooks' | 'sessions' | 'alerts'>,
) {
  const { config, db, connect: gateway, sessions } = services;
  const startLimit = createStartLimit({ perWindow: 20, windowMs: 60_000 });
  return async function oauthRoutesPlugin(app: FastifyInstance) {
    const redirectUri = `${config.publicUrl}/auth/procore/callback`;
    const publicUrl = new URL(config.publicUrl);
    const secureCookies = publicUrl.protocol === 'https:';
    // Browsers keep Secure cookies from https, and from localhost, which they treat as a secure
    // context (the sandbox's setup). On plain http elsewhere the cookie would be dropped anyway.
    const handleCookies = secureCookies || ['localhost', '127.0.0.1', '[::1]'].includes(publicUrl.hostname);
    await app.register(cookie);
    const r = app.withTypeProvider<ZodTypeProvider>();

    const popupResult = (params: Record<string, string>) =>
      `/auth-popup.html#${new URLSearchParams(params).toString()}`;

    const handleCookieOptions = {
      httpOnly: true,
      secure: true,
      sameSite: 'none' as const,
      partitioned: true,
      path: '/',
    };

    function answer(reply: FastifyReply, session: FrameSession, handle: string | undefined): SessionResponse {
      if (handleCookies && handle) {
        reply.setCookie(handleCookie(session.companyId), handle, {
          ...handleCookieOptions,
          maxAge: Math.max(1, Math.floor((session.handleExpiresAt.getTime() - Date.now()) / 1000)),
        });
      }
      return {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        companyId: session.companyId,
        userName: session.userName,
        isAdmin: session.isAdmin,
        ...(session.handle ? { handle: session.handle } : {}),
        handleExpiresAt: session.handleExpiresAt.toISOString(),
      };
    }

    r.get(
      '/auth/procore/start',
      { schema: { querystring: z.object({ company_id: companyId }) } },
      async (request, reply) => {
        if (!startLimit.take(request.ip)) {
          // The popup shows why; nothing is written for this attempt.
          return reply.header('retry-after', '60').redirect(
            popupResult({
              error: 'too_many_attempts',
              reason: 'Too many sign-in attempts from this browser. Wait a minute, then connect again.',
            }),
            303,
          );
        }
        const state = newOneTimeSecret();
        const nonce = newOneTimeSecret();
        await insertOAuthState(db, {
          stateHash: state.hash,
          nonceHash: nonce.hash,
          companyId: request.query.company_id,
          expiresAt: new Date(Date.now() + STATE_TTL_MS),
        });
        reply.setCookie(NONCE_COOKIE, nonce.value, {
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookies,
          path: '/auth/procore',
          maxAge: STATE_TTL_MS / 1000,
        });
        return reply.redirect(gateway.authorizeUrl({ state: state.value, redirectUri }));
      },
    );

    r.get(
      '/auth/procore/callback',
      {
        schema: {
          querystring: z.object({
            code: z.string().min(1).max(2048).optional(),
            state: z.string().min(1).max(256).optional(),
            error: z.string().max(256).optional(),
            error_description: z.string().max(1024).optional(),
          }),
        },
      },
      async (request, reply) => {
        const { code, state, error } = request.query;
        const nonce = request.cookies[NONCE_COOKIE];
        reply.clearCookie(NONCE_COOKIE, { path: '/auth/procore' });
        if (error) {
          const reason =
            error === 'access_denied'
              ? 'You did not allow Worker Sync to access Procore. Connect again when you are ready.'
              : 'Procore did not complete the sign-in. Try connecting again.';
          return reply.redirect(popupResult({ error, reason }));
        }
        if (!code || !state || !nonce) {
          return reply.redirect(
            popupResult({
              error: 'invalid_request',
              reason: 'The sign-in could not be verified. Start again from the app.',
            }),
          );
        }
        const used = await useOAuthState(db, hashSecret(state), hashSecret(nonce), new Date());
        if (!used) {
          return reply.redirect(
            popupResult({
              error: 'invalid_state',
              reason: 'This sign-in link was already used or has expired. Start again from the app.',
            }),
          );
        }
        try {
          const signedIn = await completeSignIn(
            { ...services, gateway, log: request.log },
            { code, redirectUri, companyId: used.company_id },
          );
          const sessionId = await sessions.start(signedIn);
          // Admins who sign in are who alert e-mails go to (server/alerts); never a reason to refuse.
          await services.alerts
            .noteSignIn({
              companyId: signedIn.companyId,
              procoreUserId: signedIn.procoreUserId,
              name: signedIn.userName,
              email: signedIn.login,
              isAdmin: signedIn.isAdmin,
            })
            .catch((err: unknown) => request.log.warn({ err }, 'could not record the alert recipient'));
          const handoff = newOneTimeSecret();
          await insertHandoff(db, {
            codeHash: handoff.hash,
            companyId: signedIn.companyId,
            procoreUserId: signedIn.procoreUserId,
            userName: signedIn.userName,
            isAdmin: signedIn.isAdmin,
            sessionId,
            expiresAt: new Date(Date.now() + HANDOFF_TTL_MS),
          });
          return reply.redirect(popupResult({ code: handoff.value }));
        } catch (err) {
          if (err instanceof ConnectRefused)
            return reply.redirect(popupResult({ error: err.code, reason: err.message }));
          request.log.error({ err }, 'connect failed');
          return reply.redirect(popupResult({ error: 'connect_failed', reason: connectFailure(err) }));
        }
      },
    );

    r.post(
      '/auth/session',
      {
        schema: {
          body: z.object({ code: z.string().min(1).max(256) }),
          response: { 200: sessionResponseSchema },
        },
      },
      async (request, reply) => {
        const handoff = await useHandoff(db, hashSecret(request.body.code), new Date());
        if (!handoff?.session_id) {
          throw new AppError(
            'unauthorized',
            'This sign-in was already used or has expired. Connect to Procore again.',
          );
        }
        const session = await sessions.activate(handoff.session_id);
        return answer(reply, session, session.handle);
      },
    );

    // A fresh session token from the sign-in's refresh handle: before the current token runs out,
    // and after a reload. The handle comes from the frame's sessionStorage or, where the frame has
    // none, from the partitioned cookie; a JSON body keeps it a non-simple (preflighted) request.
    r.post(
      '/auth/session/renew',
      {
        schema: {
          body: z.object({ companyId, handle: z.string().min(1).max(256).optional() }),
          response: { 200: sessionResponseSchema },
        },
      },
      async (request, reply) => {
        const cookieName = handleCookie(request.body.companyId);
        const handle = request.body.handle ?? request.cookies[cookieName];
        const forget = () => {
          if (request.cookies[cookieName]) reply.clearCookie(cookieName, handleCookieOptions);
        };
        if (!handle) {
          throw new AppError(
            'unauthorized',
            'There is no Worker Sync session to resume here. Connect to Procore to continue.',
          );
        }
        let session: FrameSession;
        try {
          session = await sessions.renew(handle, request.log);
        } catch (err) {
          forget();
          throw err;
        }
        if (session.companyId !== request.body.companyId) {
          forget();
          throw new AppError(
            'unauthorized',
            'This session is for another Procore company. Connect to Procore.',
          );
        }
        return answer(reply, session, handle);
      },
    );
  };
}

/** The popup's sentence when the sign-in failed for a reason other than a refusal. */
function connectFailure(err: unknown): string {
  switch (classifyFailure(err).kind) {
    case 'transient':
      return 'Procore could not be reached to finish connecting. Try again in a few minutes.';
    case 'access':
    case 'permanent':
      return `Procore refused a step of connecting: ${(err as Error).message} Try again, or ask a company admin.`;
    default:
      return 'Worker Sync could not finish connecting because of a problem on its side. Try again in a few minutes.';
  }
}
