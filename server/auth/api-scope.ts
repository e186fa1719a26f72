import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors';
import { sessionKey, type VerifiedSession, verifySession } from './session';

/**
 * The `/api` scope. One onRequest hook proves, before any route runs, that the caller holds a
 * valid session, that the company in the path is the session's company, and that the company
 * has not been disconnected since the session was issued (its session epoch). Every route of the
 * app's JSON API is registered inside this scope; none opts in by path prefix (style.md rule 8).
 */
export interface ApiScopeOptions {
  appSecret: string;
  /** Why a signed session may no longer be used (sessions.service.ts `gate`); null when it may. */
  gate: (verified: VerifiedSession) => Promise<string | null>;
  routes: FastifyPluginAsync[];
}

export async function apiScope(app: FastifyInstance, opts: ApiScopeOptions) {
  const key = sessionKey(opts.appSecret);
  app.decorateRequest('session', null);

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (!token) throw new AppError('unauthorized', 'Sign in to Procore to continue.');
    const verified = await verifySession(key, token);
    if (!verified.ok) {
      // An expired token is the ordinary case the frame renews and retries; a bad one is not.
      throw verified.problem === 'expired'
        ? new AppError('session_expired', 'Your session has expired. Connect to Procore again to continue.')
        : new AppError('unauthorized', 'Your session is not valid. Connect to Procore again to continue.');
    }
    const params = request.params as Record<string, string | undefined>;
    const companyId = params.companyId;
    if (companyId === undefined) {
      throw new AppError('not_found', 'Every API route belongs to a company.');
    }
    if (companyId !== verified.session.companyId) {
      throw new AppError(
        'forbidden',
        'Your session is for another Procore company. Open the app from that company.',
      );
    }
    const refused = await opts.gate(verified);
    if (refused) throw new AppError('session_ended', refused);
    request.session = verified.session;
  });

  for (const routes of opts.routes) await app.register(routes);
}
