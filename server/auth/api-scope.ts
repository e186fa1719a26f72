import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors';
import { sessionKey, verifySession } from './session';

/**
 * The `/api` scope. One onRequest hook proves, before any route runs, that the caller holds a
 * valid session and that the company in the path is the session's company. Every route of the
 * app's JSON API is registered inside this scope; none opts in by path prefix (style.md rule 8).
 */
export interface ApiScopeOptions {
  appSecret: string;
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
      throw new AppError(
        'unauthorized',
        verified.problem === 'expired'
          ? 'Your session has expired. Connect to Procore again to continue.'
          : 'Your session is not valid. Connect to Procore again to continue.',
      );
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
    request.session = verified.session;
  });

  for (const routes of opts.routes) await app.register(routes);
}
