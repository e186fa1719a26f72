import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openPostgres } from '../../server/db/connect';
import { finishRun } from '../../server/runs/runs.service';
import type { Services } from '../../server/services';
import { autosyncTick } from '../../server/sync/autosync.job';
import { requestSync } from '../../server/sync/sync.service';
import { testServices } from '../helpers/app';
import { freshDatabase } from '../helpers/db';
import { newCompany } from '../helpers/sync-factories';

/**
 * Two app processes on one PostgreSQL (each with its own pools, queue and process lease): one run
 * per Sync press, however the presses race, and one autosync run per company per hour.
 */
describe('two app processes on one PostgreSQL', () => {
  let first: DatabaseHandle;
  let second: DatabaseHandle;
  let a: Services;
  let b: Services;

  beforeAll(async () => {
    first = await freshDatabase('postgres');
    second = await openPostgres(first.connectionString!);
    a = await testServices(first);
    b = await testServices(second);
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await second?.close();
    await first?.close();
  });

  const endRun = (companyId: string, id: string, status: 'succeeded' | 'failed' = 'succeeded') =>
    finishRun(first.db, companyId, id, {
      status,
      reason: null,
      now: new Date(),
      fromStatuses: ['queued', 'running'],
    });

  it('20 Sync presses racing on both processes make exactly one run each', async () => {
    const company = await newCompany(first.db);
    const press = (s: Services) =>
      requestSync(s, {
        companyId: company.id,
        trigger: 'manual',
        mode: 'full',
        startedByUserId: '1',
        startedByName: 'Ada Admin',
      });
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all([press(a), press(b), press(a), press(b)]);
      expect(answers.filter((x) => x.created)).toHaveLength(1);
      expect(new Set(answers.map((x) => x.run.id)).size).toBe(1);
      await endRun(company.id, answers[0]!.run.id);
    }
    const runs = await first.db
      .selectFrom('sync_runs')
      .select('id')
      .where('company_id', '=', company.id)
      .execute();
    expect(runs).toHaveLength(20);
  });

  it('autosync ticking on both processes makes one run per company per hour', async () => {
    const companies = [
      await newCompany(first.db, { autosync: true, autosyncMinute: 7 }),
      await newCompany(first.db, { autosync: true, autosyncMinute: 7 }),
    ];
    const base = Date.UTC(2031, 0, 1, 0, 7, 0);
    for (let hour = 0; hour < 6; hour++) {
      const at = new Date(base + hour * 3_600_000);
      const tick = (s: Services) => autosyncTick({ ...s, now: () => at });
      // Both processes' minute ticks fire, twice each (a late tick in the same minute, a retry).
      const made = (await Promise.all([tick(a), tick(b), tick(a), tick(b)])).flat().filter((r) => r.created);
      expect(made).toHaveLength(companies.length);
      for (const r of made) await endRun(r.run.company_id, r.run.id);
    }
    for (const company of companies) {
      const autos = await first.db
        .selectFrom('sync_runs')
        .select('id')
        .where('company_id', '=', company.id)
        .where('trigger', '=', 'auto')
        .execute();
      expect(autos).toHaveLength(6);
    }
  });
});
