import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { SessionContext } from './request-context';

/**
 * The iframe's session: a short-lived JWT signed with a key derived from APP_SECRET, bound to one
 * Procore user and one company, kept in sessionStorage and sent as `Authorization: Bearer` — no
 * third-party cookie needed (procore-app.md §2.4, toolchain.md §6).
 */
export const SESSION_TTL_SECONDS = 60 * 60;
const ISSUER = 'procore-worker-sync';
const AUDIENCE = 'procore-worker-sync/iframe';

export function sessionKey(appSecret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', appSecret, 'procore-worker-sync', 'session-signing-v1', 32));
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
}

export async function issueSession(
  key: Uint8Array,
  session: SessionContext,
  now = new Date(),
): Promise<IssuedSession> {
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  const token = await new SignJWT({ cid: session.companyId, name: session.userName, adm: session.isAdmin })
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
): Promise<{ ok: true; session: SessionContext } | { ok: false; problem: SessionProblem }> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const { sub, cid, name, adm } = payload;
    if (
      typeof sub !== 'string' ||
      typeof cid !== 'string' ||
      typeof name !== 'string' ||
      typeof adm !== 'boolean'
    ) {
      return { ok: false, problem: 'invalid' };
    }
    return { ok: true, session: { procoreUserId: sub, companyId: cid, userName: name, isAdmin: adm } };
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
