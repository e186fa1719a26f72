import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hashSecret, issueSession, newOneTimeSecret, sessionKey } from '../auth/session';
import { AppError } from '../errors';
import type { Services } from '../services';
import { ConnectRefused, completeSignIn } from './connect.service';
import { insertHandoff, insertOAuthState, useHandoff, useOAuthState } from './oauth.repository';

/**
 * Flow 1 of design.md. The popup (a first-party window on the app's origin) runs the OAuth code
 * flow; the callback hands a one-time code to the iframe through the popup page, and the iframe
 * trades it for a session token. The `state` is bound to the popup by a cookie set when the popup
 * started, and both `state` and the one-time code are single use.
 */
const STATE_TTL_MS = 10 * 60 * 1000;
const HANDOFF_TTL_MS = 2 * 60 * 1000;
const NONCE_COOKIE = 'pws_oauth_nonce';

export function oauthRoutes(services: Pick<Services, 'config' | 'db' | 'connect' | 'companies' | 'hooks'>) {
  const { config, db, connect: gateway } = services;
  return async function oauthRoutesPlugin(app: FastifyInstance) {
    const redirectUri = `${config.publicUrl}/auth/procore/callback`;
    const secureCookies = config.publicUrl.startsWith('https://');
    const key = sessionKey(config.appSecret);
    await app.register(cookie);
    const r = app.withTypeProvider<ZodTypeProvider>();

    const popupResult = (params: Record<string, string>) =>
      `/auth-popup.html#${new URLSearchParams(params).toString()}`;

    r.get(
      '/auth/procore/start',
      {
        schema: {
          querystring: z.object({
            company_id: z.string().regex(/^\d{1,19}$/, 'must be a Procore company id'),
          }),
        },
      },
      async (request, reply) => {
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
          const handoff = newOneTimeSecret();
          await insertHandoff(db, {
            codeHash: handoff.hash,
            ...signedIn,
            expiresAt: new Date(Date.now() + HANDOFF_TTL_MS),
          });
          return reply.redirect(popupResult({ code: handoff.value }));
        } catch (err) {
          if (err instanceof ConnectRefused)
            return reply.redirect(popupResult({ error: err.code, reason: err.message }));
          request.log.error({ err }, 'connect failed');
          return reply.redirect(
            popupResult({
              error: 'connect_failed',
              reason: 'Procore could not be reached to finish connecting. Try again in a few minutes.',
            }),
          );
        }
      },
    );

    r.post(
      '/auth/session',
      { schema: { body: z.object({ code: z.string().min(1).max(256) }) } },
      async (request) => {
        const handoff = await useHandoff(db, hashSecret(request.body.code), new Date());
        if (!handoff) {
          throw new AppError(
            'unauthorized',
            'This sign-in was already used or has expired. Connect to Procore again.',
          );
        }
        const session = {
          companyId: handoff.company_id,
          procoreUserId: handoff.procore_user_id,
          userName: handoff.user_name,
          isAdmin: handoff.is_admin,
        };
        const issued = await issueSession(key, session);
        return {
          token: issued.token,
          expiresAt: issued.expiresAt.toISOString(),
          companyId: session.companyId,
          userName: session.userName,
          isAdmin: session.isAdmin,
        };
      },
    );
  };
}
