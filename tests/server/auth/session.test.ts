import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueSession, sessionKey, verifySession } from '../../../server/auth/session';

const key = sessionKey('a-long-enough-application-secret-for-tests-0001');
const session = { companyId: '4280001', procoreUserId: '7001', userName: 'Dana Admin', isAdmin: true };

describe('iframe session tokens', () => {
  it('round-trips the user and the company', async () => {
    const { token, expiresAt } = await issueSession(key, session);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await verifySession(key, token)).toEqual({ ok: true, session, epoch: 0, sessionId: null });
  });

  it('carries the company epoch and the sign-in it renews from', async () => {
    const { token } = await issueSession(key, { ...session, epoch: 3, sessionId: 'abc' });
    expect(await verifySession(key, token)).toEqual({ ok: true, session, epoch: 3, sessionId: 'abc' });
  });

  it('lives as long as it is told', async () => {
    const now = new Date('2026-11-28T09:00:00Z');
    const { expiresAt } = await issueSession(key, session, now, 20);
    expect(expiresAt.toISOString()).toBe('2026-11-28T09:00:20.000Z');
  });

  it('refuses a token signed with another secret', async () => {
    const other = sessionKey('another-application-secret-of-enough-length-02');
    const { token } = await issueSession(other, session);
    expect(await verifySession(key, token)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('says when a token has expired', async () => {
    const { token } = await issueSession(key, session, new Date(Date.now() - 2 * 60 * 60 * 1000));
    expect(await verifySession(key, token)).toEqual({ ok: false, problem: 'expired' });
  });

  it('refuses an unsigned or tampered token', async () => {
    const { token } = await issueSession(key, session);
    const [header, payload, signature] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), cid: '999' }),
    ).toString('base64url');
    expect((await verifySession(key, `${header}.${forgedPayload}.${signature}`)).ok).toBe(false);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect((await verifySession(key, none)).ok).toBe(false);
  });

  it('refuses a token of the right key but another issuer', async () => {
    const token = await new SignJWT({ cid: '1', name: 'x', adm: true })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setExpirationTime('1h')
      .sign(key);
    expect((await verifySession(key, token)).ok).toBe(false);
  });
});
