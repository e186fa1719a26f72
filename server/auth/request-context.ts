import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors';

/**
 * What the `/api` scope's session hook proves about the caller before any route runs: a signed
 * session for one Procore user in one Procore company. Routes take the company from here, never
 * from what the caller asks for (the hook already refused a company other than the session's).
 */
export interface SessionContext {
  companyId: string;
  procoreUserId: string;
  userName: string;
  /** Company admin in Procore (see README, "Who may do what"). */
  isAdmin: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionContext | null;
  }
}

/** The proven session; only reachable inside the `/api` scope, where the hook has set it. */
export function sessionOf(request: FastifyRequest): SessionContext {
  if (!request.session) throw new AppError('unauthorized', 'Sign in to Procore to continue.');
  return request.session;
}

/** Settings, Sync and Disconnect need a company admin. */
export function requireAdmin(request: FastifyRequest): SessionContext {
  const session = sessionOf(request);
  if (!session.isAdmin) {
    throw new AppError(
      'forbidden',
      'Only a Procore company admin can do this. Ask an admin of your company to change it.',
    );
  }
  return session;
}
