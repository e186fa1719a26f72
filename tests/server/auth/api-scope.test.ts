import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET, testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';

const A = '4280001';
const B = '4280002';

describeEachDatabase('the /api scope', ({ db }) => {
  let app: FastifyInstance;
  let apiRoutes: Array<{ method: string; url: string }>;
  const key = sessionKey(TEST_APP_SECRET);
  const bearer = async (companyId: string, isAdmin = true, now = new Date()) =>
    `Bearer ${(await issueSession(key, { companyId, procoreUserId: '7001', userName: 'Dana', isAdmin }, now)).token}`;
  const fill = (url: string, companyId: string) =>
    url
      .replace(':companyId', companyId)
      .replace(/:[A-Za-z]+/g, '1')
      .replace('*', 'x');

  beforeAll(async () => {
    app = await buildTestApp(db(), { config: testConfig() });
    for (const [id, name] of [
      [A, 'Acme Builders'],
      [B, 'Summit Electric'],
    ]) {
      await db().db.insertInto('companies').values({ id: id!, name: name! }).execute();
    }
    apiRoutes = app.routeTable().filter((r) => r.url.startsWith('/api/') && r.url !== '/api/openapi.json');
  });
  afterAll(async () => {
    await app.close();
  });

  it('puts every API route under a company', () => {
    expect(apiRoutes.length).toBeGreaterThan(0);
    for (const r of apiRoutes) expect(r.url).toMatch(/^\/api\/companies\/:companyId(\/|$)/);
  });

  it('answers 401 without a session, with a forged one, and with an expired one — on every route', async () => {
    const forged = `Bearer ${(await issueSession(sessionKey('some-other-secret-of-sufficient-length-000'), { companyId: A, procoreUserId: '1', userName: 'x', isAdmin: true })).token}`;
    const expired = await bearer(A, true, new Date(Date.now() - 3 * 60 * 60 * 1000));
    for (const r of apiRoutes) {
      for (const authorization of [undefined, 'Bearer nonsense', forged, expired]) {
        const res = await app.inject({
          method: r.method as 'GET',
          url: fill(r.url, A),
          headers: authorization ? { authorization } : {},
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        });
        expect(res.statusCode, `${r.method} ${r.url} with ${authorization?.slice(0, 16)}`).toBe(401);
        expect(res.body).not.toContain('Acme');
      }
    }
    const res = await app.inject({
      url: fill('/api/companies/:companyId/me', A),
      headers: { authorization: expired },
    });
    expect(res.json().error.message).toMatch(/expired/);
  });

  it("refuses company A's session on every route of company B, and returns none of B's data", async () => {
    const sessionForA = await bearer(A);
    for (const r of apiRoutes) {
      const res = await app.inject({
        method: r.method as 'GET',
        url: fill(r.url, B),
        headers: { authorization: sessionForA },
        ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.body).not.toContain('Summit');
    }
  });

  it('describes every company route in its OpenAPI document', async () => {
    const doc = (await app.inject('/api/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const r of apiRoutes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[path], `${r.method} ${r.url}`).toHaveProperty(r.method.toLowerCase());
    }
  });

  it("lists only the session's company positions", async () => {
    await db()
      .db.insertInto('positions')
      .values([
        { company_id: A, name: 'Carpenter', procore_classification_id: '77' },
        { company_id: A, name: 'Apprentice' },
        { company_id: B, name: 'Lineman' },
      ])
      .execute();
    const res = await app.inject({
      url: `/api/companies/${A}/positions`,
      headers: { authorization: await bearer(A, false) },
    });
    expect(res.json()).toEqual({
      positions: [
        { id: expect.any(String), name: 'Apprentice', fromProcore: false },
        { id: expect.any(String), name: 'Carpenter', fromProcore: true },
      ],
    });
  });

  it("serves the session's own company", async () => {
    const res = await app.inject({
      url: `/api/companies/${A}/me`,
      headers: { authorization: await bearer(A, false) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { isAdmin: false },
      connection: { companyName: 'Acme Builders' },
    });
  });
});
