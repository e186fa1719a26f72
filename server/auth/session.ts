import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { SessionContext } from './request-context';

/**
 * The iframe's session token: a short-lived JWT signed with a key derived from APP_SECRET, bound
 * to one Procore user, one company and the company's session epoch, sent as
 * `Authorization: Bearer` (procore-app.md §2.4, toolchain.md §6). It is renewed before it expires
 * with the sign-in's refresh handle (sessions.service.ts); its lifetime is SESSION_TTL_SECONDS.
 */
export const SESSION_TTL_SECONDS = 15 * 60;
const ISSUER = 'procore-worker-sync';
const AUDIENCE = 'procore-worker-sync/iframe';

export function sessionKey(appSecret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', appSecret, 'procore-worker-sync', 'session-signing-v1', 32));
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
}

/** What a token carries besides who and where: the sign-in it belongs to and the company epoch. */
export interface SessionClaims extends SessionContext {
  /** The company's session epoch when the token was issued (0 for a company never disconnected). */
  epoch?: number;
  /** The sign-in (`app_sessions.id`) the token renews from. */
  sessionId?: string;
}

export interface VerifiedSession {
  session: SessionContext;
  epoch: number;
  sessionId: string | null;
}

export async function issueSession(
  key: Uint8Array,
  session: SessionClaims,
  now = new Date(),
  ttlSeconds = SESSION_TTL_SECONDS,
): Promise<IssuedSession> {
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const claims: Record<string, unknown> = {
    cid: session.companyId,
    name: session.userName,
    adm: session.isAdmin,
    gen: session.epoch ?? 0,
  };
  if (session.sessionId) claims.sid = session.sessionId;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(session.procoreUserId)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, expiresAt };
}

export type SessionProblem = 'expired' | 'invalid';

export async function verifySession(
  key: Uint8Array,
  token: string,
): Promise<({ ok: true } & VerifiedSession) | { ok: false; problem: SessionProblem }> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const { sub, cid, name, adm, gen, sid } = payload;
    if (
      typeof sub !== 'string' ||
      typeof cid !== 'string' ||
      typeof name !== 'string' ||
      typeof adm !== 'boolean' ||
      (gen !== undefined && (typeof gen !== 'number' || !Number.isInteger(gen))) ||
      (sid !== undefined && typeof sid !== 'string')
    ) {
      return { ok: false, problem: 'invalid' };
    }
    return {
      ok: true,
      session: { procoreUserId: sub, companyId: cid, userName: name, isAdmin: adm },
      epoch: typeof gen === 'number' ? gen : 0,
      sessionId: typeof sid === 'string' ? sid : null,
    };
  } catch (err) {
    return { ok: false, problem: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
  }
}

/** A random single-use secret and the hash we keep of it (we never store the secret itself). */
export function newOneTimeSecret(): { value: string; hash: string } {
  const value = randomBytes(32).toString('base64url');
  return { value, hash: hashSecret(value) };
}

export function hashSecret(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
