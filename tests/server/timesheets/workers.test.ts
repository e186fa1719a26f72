import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import type { Services } from '../../../server/services';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';

/** Local workers and app-made positions through the API (seed.md "Contacts", "Classifications"). */
describeEachDatabase('local workers and positions API', ({ db }) => {
  let app: FastifyInstance & { services: Services };
  let company: { id: string };
  let admin: string;
  let member: string;

  beforeAll(async () => {
    company = await newCompany(db().db, { userSyncEnabled: false });
    app = await buildTestApp(db());
    const key = sessionKey(TEST_APP_SECRET);
    const session = (isAdmin: boolean) =>
      issueSession(key, { companyId: company.id, procoreUserId: '77', userName: 'Ada', isAdmin });
    admin = `Bearer ${(await session(true)).token}`;
    member = `Bearer ${(await session(false)).token}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: unknown, auth = admin) =>
    app.inject({
      method,
      url: `/api/companies/${company.id}${url}`,
      headers: { authorization: auth },
      payload: payload as object,
    });

  it('creates a local worker with an E.164 phone and a position', async () => {
    const pos = await call('POST', '/positions', { name: 'Carpenter' });
    expect(pos.statusCode).toBe(201);
    const res = await call('POST', '/workers', {
      firstName: 'Rosa',
      lastName: 'Diaz',
      phone: '(312) 555-0199',
      email: '',
      payrollId: 'P-100',
      positionId: pos.json().position.id,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().worker).toMatchObject({
      firstName: 'Rosa',
      lastName: 'Diaz',
      phone: '+13125550199',
      email: null,
      payrollId: 'P-100',
      source: 'local',
      active: true,
      position: { name: 'Carpenter' },
    });
  });

  it('refuses a phone an active worker has, and frees it when that worker is deactivated', async () => {
    const first = await call('POST', '/workers', {
      firstName: 'A',
      lastName: 'One',
      phone: '+1 312 555 0142',
    });
    expect(first.statusCode).toBe(201);
    const dup = await call('POST', '/workers', { firstName: 'B', lastName: 'Two', phone: '312-555-0142' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toContain('A One');
    const off = await call('PATCH', `/workers/${first.json().worker.id}`, { active: false });
    expect(off.json().worker.active).toBe(false);
    const again = await call('POST', '/workers', { firstName: 'B', lastName: 'Two', phone: '312-555-0142' });
    expect(again.statusCode).toBe(201);
    // Reactivating the first would give two active workers one phone.
    const back = await call('PATCH', `/workers/${first.json().worker.id}`, { active: true });
    expect(back.statusCode).toBe(409);
  });

  it('refuses an invalid phone and a non-admin', async () => {
    const bad = await call('POST', '/workers', { firstName: 'C', lastName: 'Three', phone: '555-12' });
    expect(bad.statusCode).toBe(400);
    const forbidden = await call(
      'POST',
      '/workers',
      { firstName: 'C', lastName: 'Three', phone: '312 555 0177' },
      '',
    );
    expect(forbidden.statusCode).toBe(401);
    const asMember = await call(
      'POST',
      '/workers',
      { firstName: 'C', lastName: 'Three', phone: '312 555 0177' },
      member,
    );
    expect(asMember.statusCode).toBe(403);
  });

  it('edits a local worker', async () => {
    const w = await call('POST', '/workers', { firstName: 'Ed', lastName: 'It', phone: '312 555 0160' });
    const res = await call('PATCH', `/workers/${w.json().worker.id}`, { lastName: 'Ited', payrollId: 'X9' });
    expect(res.json().worker).toMatchObject({ lastName: 'Ited', payrollId: 'X9' });
  });

  it("keeps a Procore worker's Procore fields read-only", async () => {
    const row = await db()
      .db.insertInto('workers')
      .values({
        company_id: company.id,
        first_name: 'Pat',
        last_name: 'Procore',
        phone: '+13125550111',
        source: 'procore_user',
        procore_user_id: '8150999',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const res = await call('PATCH', `/workers/${row.id}`, { firstName: 'Patty' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('comes from Procore');
    const pos = await call('POST', '/positions', { name: 'Laborer' });
    const ok = await call('PATCH', `/workers/${row.id}`, { positionId: pos.json().position.id });
    expect(ok.json().worker.position.name).toBe('Laborer');
  });

  it('renames positions, refusing a duplicate name', async () => {
    const p = await call('POST', '/positions', { name: 'Finisher' });
    const dup = await call('POST', '/positions', { name: 'finisher' });
    expect(dup.statusCode).toBe(409);
    const renamed = await call('PATCH', `/positions/${p.json().position.id}`, { name: 'Concrete Finisher' });
    expect(renamed.json().position.name).toBe('Concrete Finisher');
  });

  it('keeps positions from Procore while user sync is on', async () => {
    await db()
      .db.updateTable('company_settings')
      .set({ user_sync_enabled: true })
      .where('company_id', '=', company.id)
      .execute();
    const res = await call('POST', '/positions', { name: 'Welder' });
    expect(res.statusCode).toBe(409);
    await db()
      .db.updateTable('company_settings')
      .set({ user_sync_enabled: false })
      .where('company_id', '=', company.id)
      .execute();
  });
});
