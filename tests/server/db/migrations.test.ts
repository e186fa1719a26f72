import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { openPglite } from '../../../server/db/connect';
import { migrateToLatest, pendingMigrations } from '../../../server/db/migrate';
import { describeEachDatabase } from '../../helpers/db';

it('migrates an empty database up, and a second run applies nothing', async () => {
  const handle = await openPglite();
  try {
    const applied = await migrateToLatest(handle.db);
    expect(applied.length).toBeGreaterThan(0);
    expect(await pendingMigrations(handle.db)).toEqual([]);
    expect(await migrateToLatest(handle.db)).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
      handle.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'companies',
        'positions',
        'procore_tokens',
        'sync_run_entries',
        'sync_runs',
        'timesheets',
        'webhook_deliveries',
        'workers',
      ]),
    );
  } finally {
    await handle.close();
  }
}, 120_000);

describeEachDatabase('schema constraints', ({ db }) => {
  const bigCompanyId = '9007199254740993'; // above 2^53: must survive as a string

  it('keeps 64-bit Procore ids exact', async () => {
    await db().db.insertInto('companies').values({ id: bigCompanyId, name: 'Acme Builders' }).execute();
    const row = await db()
      .db.selectFrom('companies')
      .select('id')
      .where('id', '=', bigCompanyId)
      .executeTakeFirstOrThrow();
    expect(row.id).toBe(bigCompanyId);
  });

  it('allows one worker per Procore user in a company', async () => {
    const worker = {
      company_id: bigCompanyId,
      first_name: 'Ana',
      last_name: 'Lopez',
      source: 'procore_user' as const,
      procore_user_id: '9007199254740999',
    };
    await db().db.insertInto('workers').values(worker).execute();
    await expect(db().db.insertInto('workers').values(worker).execute()).rejects.toThrow(
      /workers_company_procore_user_key/,
    );
  });

  it('refuses a Procore-sourced worker without a Procore user id', async () => {
    await expect(
      db()
        .db.insertInto('workers')
        .values({
          company_id: bigCompanyId,
          first_name: 'A',
          last_name: 'B',
          source: 'procore_user',
          procore_user_id: null,
        })
        .execute(),
    ).rejects.toThrow(/workers_source_procore_user_check/);
  });

  it('stores a webhook delivery once per company', async () => {
    const delivery = {
      company_id: bigCompanyId,
      delivery_key: '01JD8ZK5W3R0Q1G3V9X2T4Y6AB',
      payload_version: 'v2.0',
      resource_name: 'Company Users',
      event_type: 'update',
      payload: JSON.stringify({}),
    };
    const first = await db()
      .db.insertInto('webhook_deliveries')
      .values(delivery)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    const second = await db()
      .db.insertInto('webhook_deliveries')
      .values(delivery)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(0);
  });

  it('allows only one queued or running manual/automatic run per company', async () => {
    await db().db.insertInto('sync_runs').values({ company_id: bigCompanyId, trigger: 'manual' }).execute();
    await expect(
      db().db.insertInto('sync_runs').values({ company_id: bigCompanyId, trigger: 'auto' }).execute(),
    ).rejects.toThrow(/sync_runs_one_active_per_company/);
  });

  it('refuses rows for a company that does not exist', async () => {
    await expect(
      db().db.insertInto('positions').values({ company_id: '1', name: 'Carpenter' }).execute(),
    ).rejects.toThrow(/foreign key/);
  });
});
