import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/connect';
import { listAllEntries } from '../../server/runs/runs.service';
import { buildTestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { freshDatabase } from '../helpers/db';
import { ACME, connectAs, startTestSandbox } from '../helpers/sandbox';

/**
 * Procore users with every field missing, null, empty, overlong, holding NUL, emoji or
 * right-to-left text, and every phone format of the seed: the run finishes, and each user is
 * synced or skipped with a reason.
 */
const LONG = 'x'.repeat(5_000);
const ODD_VALUES: Array<string | null> = [
  null,
  '',
  '   ',
  LONG,
  'a\u0000b',
  '👷‍♀️🏗️',
  'محمد العلي',
  '\u202Eevil',
  '\uD800',
];
const PHONES = [
  '(312) 555-0101',
  '312.555.0102',
  '+1 312 555 0103',
  '312-555-0104',
  '3125550105',
  '555-12',
  '+44 20 7946 0958',
  'not a phone',
  LONG,
  null,
  '',
];

describe('odd Procore users [pglite]', () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let database: DatabaseHandle;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let token: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    database = await freshDatabase('pglite');
    app = await buildTestApp(database, {
      config: testConfig({ PROCORE_LOGIN_URL: sandbox.url, PROCORE_API_URL: sandbox.url }),
      jobs: true,
    });
    token = (await connectAs(app, sandbox, { search: 'dana' })).token!;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.close();
    await sandbox?.close();
  });

  it('syncs or skips each with a reason, and the run finishes', async () => {
    let n = 0;
    const made: number[] = [];
    const create = async (fields: Record<string, unknown>) => {
      n++;
      const res = await fetch(`${sandbox.url}/_sandbox/companies/${ACME}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          first_name: `Odd${n}`,
          last_name: `User${n}`,
          email_address: `odd${n}@example.com`,
          mobile_phone: `(415) 555-${String(1000 + n).slice(-4)}`,
          is_employee: true,
          employee_id: `ODD${n}`,
          ...fields,
        }),
      });
      // The simulator refuses what Procore would refuse; the rest reaches the sync.
      if (res.status === 201) made.push(((await res.json()) as { id: number }).id);
    };
    for (const field of ['first_name', 'last_name', 'email_address', 'employee_id', 'job_title']) {
      for (const value of ODD_VALUES) await create({ [field]: value });
      await create({ [field]: undefined });
    }
    for (const phone of PHONES) await create({ mobile_phone: phone });
    expect(made.length).toBeGreaterThan(40);

    const auth = { authorization: `Bearer ${token}` };
    const asked = await app.inject({
      method: 'POST',
      url: `/api/companies/${ACME}/syncs`,
      headers: auth,
      payload: {},
    });
    const id = asked.json().run.id as string;
    const deadline = Date.now() + 300_000;
    let run: { status: string; statusReason: string | null };
    for (;;) {
      run = (await app.inject({ url: `/api/companies/${ACME}/syncs/${id}`, headers: auth })).json().run;
      if (!['queued', 'running'].includes(run.status)) break;
      if (Date.now() > deadline) throw new Error('the run did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(run.status, run.statusReason ?? '').toMatch(/succeeded|partial/);
    const entries = await listAllEntries(database.db, ACME, id);
    const byUser = new Map(entries.map((e) => [e.procore_user_id, e]));
    for (const userId of made) {
      const entry = byUser.get(String(userId));
      expect(entry, `user ${userId}`).toBeDefined();
      if (entry!.action === 'skipped' || entry!.action === 'failed')
        expect(entry!.reason, `user ${userId}`).toBeTruthy();
    }
    console.log(
      `[faults] odd users: ${made.length} made; ${entries.filter((e) => made.includes(Number(e.procore_user_id)) && e.action === 'created').length} created, the rest skipped with a reason`,
    );
  }, 400_000);
});
