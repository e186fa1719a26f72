import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import { freshDatabase } from '../../helpers/db';

/**
 * PGlite is one session behind one mutex: a failure anywhere must give both back clean, or every
 * later query of the process waits forever or is refused.
 */
let handle: DatabaseHandle;
const errors: Error[] = [];
beforeAll(async () => {
  handle = await freshDatabase('pglite');
  handle.onError((err) => errors.push(err));
});
afterAll(async () => {
  await handle.close();
});
beforeEach(() => {
  errors.length = 0;
});

/** Settles within `ms`, or fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms = 2_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still waiting after ${ms} ms: the mutex was kept`)), ms),
    ),
  ]);
}

const companyNames = async () =>
  (await handle.db.selectFrom('companies').select('name').orderBy('id').execute()).map((r) => r.name);

it('never keeps the mutex after a failed query, inside or outside a transaction', async () => {
  await expect(within(sql`select 1/0`.execute(handle.db))).rejects.toThrow(/division by zero/);
  await expect(
    within(
      handle.db.transaction().execute(async (trx) => {
        await trx.insertInto('companies').values({ id: '10', name: 'Inside' }).execute();
        await sql`select no_such_column from companies`.execute(trx);
      }),
    ),
  ).rejects.toThrow(/no_such_column/);
  await expect(within(handle.executeSql('select $1::int', ['not a number']))).rejects.toThrow(/integer/);
  await expect(within(handle.executeSql('select 1/0'))).rejects.toThrow(/division by zero/);

  expect(await within(companyNames())).toEqual([]);
  expect((await within(handle.ping())).ok).toBe(true);
});

it('ends a transaction a failed statement list left open (pg-boss sends BEGIN … COMMIT in one string)', async () => {
  await expect(
    within(
      handle.executeSql(
        "begin; insert into companies (id, name) values (20, 'Half done'); select 1/0; commit;",
      ),
    ),
  ).rejects.toThrow(/division by zero/);

  // Without the rollback: "current transaction is aborted, commands ignored until end of transaction block".
  await within(handle.db.insertInto('companies').values({ id: '21', name: 'After' }).execute());
  expect(await within(companyNames())).toEqual(['After']);
  expect(errors.map((e) => e.message)).toEqual([
    'a connection was given back inside an open transaction; it was rolled back',
  ]);
  await handle.db.deleteFrom('companies').execute();
});

it('rolls back a transaction left open on a connection Kysely gives back', async () => {
  await expect(
    within(
      handle.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        await conn.insertInto('companies').values({ id: '30', name: 'Never committed' }).execute();
        throw new Error('gave up halfway');
      }),
    ),
  ).rejects.toThrow('gave up halfway');

  await within(handle.db.insertInto('companies').values({ id: '31', name: 'Beside' }).execute());
  expect(await within(companyNames())).toEqual(['Beside']);
  expect(errors).toHaveLength(1);
  await handle.db.deleteFrom('companies').execute();
});
