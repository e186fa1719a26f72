import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertQueuedRun } from '../../../server/runs/runs.repository';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';
import { runSync } from '../../helpers/sync-runner';
import { ACME, type SyncSandbox, startSyncSandbox } from '../../helpers/sync-sandbox';

describeEachDatabase('a company that uninstalled the app in Procore', ({ db }) => {
  let s: SyncSandbox;
  beforeAll(async () => {
    s = await startSyncSandbox();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('fails the run with a reason and marks the company disconnected, keeping its workers', async () => {
    await newCompany(db().db, { id: ACME, name: 'Acme Builders' });
    await db()
      .db.insertInto('workers')
      .values({ company_id: ACME, first_name: 'Ana', last_name: 'Lopez', source: 'local' })
      .execute();
    await s.control(`/_sandbox/companies/${ACME}/uninstall`, { method: 'POST' });

    const run = await insertQueuedRun(db().db, {
      kind: 'users',
      companyId: ACME,
      trigger: 'manual',
      mode: 'full',
      startedByUserId: null,
      startedByName: 'Dana Whitfield',
      now: new Date(),
    });
    const finished = await runSync(db().db, () => s.directory(db().db, ACME), ACME, run!.id);
    expect(finished?.status).toBe('failed');
    expect(finished?.status_reason).toMatch(/not connected/i);

    const company = await db()
      .db.selectFrom('companies')
      .select(['connection_state', 'disconnect_reason'])
      .where('id', '=', ACME)
      .executeTakeFirstOrThrow();
    expect(company.connection_state).toBe('disconnected');
    expect(company.disconnect_reason).toMatch(/uninstalled/);
    const workers = await db().db.selectFrom('workers').select('id').where('company_id', '=', ACME).execute();
    expect(workers).toHaveLength(1);
  });
});
