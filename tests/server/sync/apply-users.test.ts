import { expect, it } from 'vitest';
import { applyPage, type CompanySyncSettings } from '../../../server/sync/apply-users';
import type { SyncUser } from '../../../server/sync/procore-user';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany, newLocalWorker, procoreUser } from '../../helpers/sync-factories';

const NOW = new Date('2026-11-25T12:00:00Z');

describeEachDatabase('applyUsers: the one apply path', ({ db }) => {
  async function setup(o: { syncClassifications?: boolean; names?: Record<string, string> } = {}) {
    const company = await newCompany(db().db, { syncClassifications: o.syncClassifications });
    const settings: CompanySyncSettings = {
      companyId: company.id,
      companyName: company.name,
      serviceAccountUserId: '999',
      syncClassifications: o.syncClassifications ?? false,
      classificationNames: o.names ? new Map(Object.entries(o.names)) : null,
    };
    const apply = (users: SyncUser[]) =>
      applyPage(db().db, settings, users, { runId: null, deferDeactivations: false, now: NOW });
    const workers = () =>
      db().db.selectFrom('workers').selectAll().where('company_id', '=', company.id).orderBy('id').execute();
    return { company, settings, apply, workers };
  }

  it('creates, then reports unchanged, then updates the same worker on a rename', async () => {
    const { apply, workers } = await setup();
    const u = procoreUser({ first_name: 'Jane', last_name: 'Doe', mobile_phone: '312-555-0101' });
    expect((await apply([u])).entries.map((e) => e.action)).toEqual(['created']);
    expect((await apply([u])).entries.map((e) => e.action)).toEqual(['unchanged']);
    const renamed = { ...u, last_name: 'Smith', updated_at: '2026-11-02T10:00:00Z' };
    const r = await apply([renamed]);
    expect(r.entries[0]).toMatchObject({
      action: 'updated',
      changes: [{ field: 'last_name', from: 'Doe', to: 'Smith' }],
    });
    const rows = await workers();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      last_name: 'Smith',
      phone: '+13125550101',
      source: 'procore_user',
      procore_user_id: u.id,
    });
  });

  it('neither imports nor counts the service account, and gates on employee and active', async () => {
    const { apply, workers } = await setup();
    const r = await apply([
      procoreUser({ id: '999' }),
      procoreUser({ is_employee: false }),
      procoreUser({ is_active: false }),
    ]);
    // The app's own account is not a person: no entry, no count, only the two people.
    expect(r.people).toBe(2);
    expect(r.counts.skipped).toBe(2);
    expect(r.entries.map((e) => [e.action, e.reasonCode])).toEqual([
      ['skipped', 'not_employee'],
      ['skipped', 'inactive'],
    ]);
    expect(r.entries[0]?.reason).toMatch(/^Not marked as an employee of Test Builders/);
    expect(await workers()).toHaveLength(0);
  });

  it('deactivates (never deletes) and reactivates on re-hire', async () => {
    const { apply, workers } = await setup();
    const u = procoreUser();
    await apply([u]);
    expect((await apply([{ ...u, is_active: false }])).entries[0]?.action).toBe('deactivated');
    expect((await workers())[0]).toMatchObject({ active: false, deactivated_reason: 'Inactive in Procore' });
    expect((await apply([{ ...u, is_active: false }])).entries[0]?.action).toBe('unchanged');
    expect((await apply([u])).entries[0]?.action).toBe('reactivated');
    expect((await workers())[0]).toMatchObject({ active: true, deactivated_reason: null });
  });

  it("skips a linked user whose new number, or whose number on coming back, is another active worker's", async () => {
    const { company, apply, workers } = await setup();
    const moving = procoreUser({ mobile_phone: '312-555-0301' });
    const returning = procoreUser({ mobile_phone: '312-555-0302' });
    await apply([moving, returning]);
    await apply([{ ...returning, is_active: false, updated_at: '2026-11-02T10:00:00Z' }]);
    // Meanwhile the returning worker's number went to someone added in the app.
    await newLocalWorker(db().db, company.id, { firstName: 'Lee', phone: '+13125550302' });
    const holder = await newLocalWorker(db().db, company.id, { firstName: 'Kim', phone: '+13125550303' });
    const r = await apply([
      { ...moving, mobile_phone: '312-555-0303', updated_at: '2026-11-03T10:00:00Z' },
      { ...returning, updated_at: '2026-11-03T10:00:00Z' },
    ]);
    expect(r.entries.map((e) => [e.action, e.reasonCode])).toEqual([
      ['skipped', 'phone_in_use'],
      ['skipped', 'phone_in_use'],
    ]);
    const rows = await workers();
    expect(rows.find((w) => w.procore_user_id === moving.id)?.phone).toBe('+13125550301');
    expect(rows.find((w) => w.procore_user_id === returning.id)?.active).toBe(false);
    expect(rows.find((w) => w.id === holder)?.active).toBe(true);
  });

  it('links one local worker matched by email, and refuses to merge two', async () => {
    const { company, apply, workers } = await setup();
    const local = await newLocalWorker(db().db, company.id, { email: 'pat@acme.com', firstName: 'Pat' });
    const u = procoreUser({ email_address: 'PAT@acme.com' });
    const r = await apply([u]);
    expect(r.entries[0]).toMatchObject({ action: 'updated', workerId: local });
    expect((await workers()).map((w) => [w.id, w.source, w.procore_user_id])).toEqual([
      [local, 'procore_user', u.id],
    ]);

    await newLocalWorker(db().db, company.id, { email: 'sam@acme.com', firstName: 'Sam', lastName: 'A' });
    await newLocalWorker(db().db, company.id, { phone: '+13125550199', firstName: 'Sam', lastName: 'B' });
    const twin = await apply([procoreUser({ email_address: 'sam@acme.com', mobile_phone: '312 555 0199' })]);
    expect(twin.entries[0]).toMatchObject({
      action: 'skipped',
      reasonCode: 'ambiguous_match',
      reason: 'Matches 2 existing workers by email or phone (Sam A, Sam B); nothing was merged',
    });
  });

  it('skips the second of two users sharing a cell phone, naming the first one’s worker', async () => {
    const { apply, workers } = await setup();
    const a = procoreUser({ first_name: 'Jane', last_name: 'Doe', mobile_phone: '(312) 555-0142' });
    const b = procoreUser({ mobile_phone: '312.555.0142' });
    const r = await apply([a, b]);
    expect(r.entries.map((e) => e.action)).toEqual(['created', 'skipped']);
    expect(r.entries[1]?.reason).toBe('Cell phone +13125550142 is already used by worker Jane Doe');
    expect(await workers()).toHaveLength(1);
  });

  it('makes positions from classifications when Sync Classifications is on', async () => {
    const { apply, workers } = await setup({
      syncClassifications: true,
      names: { '2801': 'Carpenter', '2802': 'Electrician' },
    });
    const u = procoreUser({ work_classification_id: '2801' });
    await apply([u]);
    const r = await apply([{ ...u, work_classification_id: '2802' }]);
    expect(r.entries[0]?.changes).toEqual([{ field: 'position', from: 'Carpenter', to: 'Electrician' }]);
    const positions = await db()
      .db.selectFrom('positions')
      .select(['name'])
      .where('company_id', '=', (await workers())[0]!.company_id)
      .orderBy('name')
      .execute();
    expect(positions.map((p) => p.name)).toEqual(['Carpenter', 'Electrician']);
  });

  it('does not touch another company’s workers with the same Procore user', async () => {
    const one = await setup();
    const two = await setup();
    const u = procoreUser();
    await one.apply([u]);
    expect((await two.apply([u])).entries[0]?.action).toBe('created');
    await one.apply([{ ...u, is_active: false }]);
    expect((await two.workers())[0]?.active).toBe(true);
  });
});
