import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseHandle, openPostgres } from '../../../server/db/connect';
import { startJobs } from '../../../server/jobs/registry';
import type { Services } from '../../../server/services';
import { autosyncMinuteFor } from '../../../server/settings/settings.service';
import { autosyncTick } from '../../../server/sync/autosync.job';
import { testServices } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser } from '../../helpers/sync-factories';

/**
 * design.md flow 5 with several processes: two app instances (two database handles and two
 * pg-boss instances) on one PostgreSQL tick through a compressed hour at the same moments; every
 * company must get exactly one auto run, at its own minute. PGlite runs the same with one handle.
 */
describeEachDatabase('autosync over a compressed hour', ({ db, backend }) => {
  const instances: Array<{ handle: DatabaseHandle; services: Services; own: boolean }> = [];
  const companies: string[] = [];

  beforeAll(async () => {
    const handles = [{ handle: db(), own: false }];
    if (backend === 'postgres')
      handles.push({ handle: await openPostgres(db().connectionString!, 4), own: true });
    for (const { handle, own } of handles) {
      const directory = memoryDirectory({ active: [[procoreUser(), procoreUser()]] });
      const services = await testServices(handle, undefined, { directoryFor: () => directory });
      await startJobs(services, { pollingIntervalSeconds: 0.5 });
      instances.push({ handle, services, own });
    }
    for (let i = 1; i <= 20; i++) {
      const id = String(5_000_000 + i);
      await newCompany(db().db, { id, autosync: true, autosyncMinute: autosyncMinuteFor(id) });
      companies.push(id);
    }
  }, 60_000);
  afterAll(async () => {
    for (const i of instances) {
      await i.services.close(5_000);
      if (i.own) await i.handle.close();
    }
  });

  it('syncs each company exactly once, at its own minute', async () => {
    const hour = Date.parse('2026-11-25T14:00:00Z');
    // Twice through the hour: the second pass must find nothing left to do.
    for (let pass = 0; pass < 2; pass++) {
      for (let minute = 0; minute < 60; minute++) {
        const now = new Date(hour + minute * 60_000 + pass * 1000);
        await Promise.all(instances.map((i) => autosyncTick({ ...i.services, now: () => now })));
      }
    }
    const deadline = Date.now() + 45_000;
    let runs: Array<{ company_id: string; queued_at: Date; status: string; trigger: string; mode: string }> =
      [];
    while (Date.now() < deadline) {
      runs = await db()
        .db.selectFrom('sync_runs')
        .select(['company_id', 'queued_at', 'status', 'trigger', 'mode'])
        .where('company_id', 'in', companies)
        .execute();
      if (runs.length === 20 && runs.every((r) => r.status === 'succeeded')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(runs.map((r) => r.company_id).sort()).toEqual([...companies].sort());
    for (const r of runs) {
      expect(r).toMatchObject({ trigger: 'auto', mode: 'full', status: 'succeeded' });
      expect(r.queued_at.getUTCMinutes(), r.company_id).toBe(autosyncMinuteFor(r.company_id));
      expect(r.queued_at.getUTCHours()).toBe(14);
    }
    expect(new Set(runs.map((r) => r.queued_at.getUTCMinutes())).size).toBeGreaterThanOrEqual(10);
  }, 90_000);

  it('the next hour runs incrementally, once more per company', async () => {
    const next = new Date(Date.parse('2026-11-25T15:59:00Z'));
    await Promise.all(instances.map((i) => autosyncTick({ ...i.services, now: () => next })));
    const rows = await db()
      .db.selectFrom('sync_runs')
      .select(['company_id', 'mode'])
      .where('company_id', 'in', companies)
      .where('queued_at', '>=', new Date('2026-11-25T15:00:00Z'))
      .execute();
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.mode === 'incremental')).toBe(true);
  });
});
