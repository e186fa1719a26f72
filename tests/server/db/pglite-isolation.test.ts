import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import { freshDatabase } from '../../helpers/db';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await freshDatabase('pglite');
});
afterAll(async () => {
  await handle.close();
});

it('a transaction rolled back on PGlite leaves nothing behind while another query runs beside it', async () => {
  const { db } = handle;
  let release!: () => void;
  const inside = new Promise<void>((r) => {
    release = r;
  });
  const rolledBack = db
    .transaction()
    .execute(async (trx) => {
      await trx.insertInto('companies').values({ id: '1', name: 'Rolled Back Co' }).execute();
      release();
      await new Promise((r) => setTimeout(r, 80));
      throw new Error('abort');
    })
    .catch((err: Error) => err.message);

  await inside;
  // Issued while the transaction is open: it must neither see nor join it.
  const beside = db.insertInto('companies').values({ id: '2', name: 'Beside Co' }).execute();

  expect(await rolledBack).toBe('abort');
  await beside;
  const names = (await db.selectFrom('companies').select('name').orderBy('id').execute()).map((r) => r.name);
  expect(names).toEqual(['Beside Co']);
});

it('reports affected row counts', async () => {
  const result = await handle.db
    .updateTable('companies')
    .set({ name: 'Renamed' })
    .where('id', '=', '2')
    .executeTakeFirst();
  expect(result.numUpdatedRows).toBe(1n);
  const none = await handle.db.deleteFrom('companies').where('id', '=', '404').executeTakeFirst();
  expect(none.numDeletedRows).toBe(0n);
});

it('returns count(*) and bigint as strings, as pg does', async () => {
  const row = await sql<{
    n: string;
    big: string;
  }>`select count(*) as n, 9007199254740993::int8 as big`.execute(handle.db);
  expect(row.rows[0]).toEqual({ n: '1', big: '9007199254740993' });
});

it('lets timers and sockets run while the embedded database works on a long statement', async () => {
  // PGlite answers without returning to the event loop of the thread it runs on: on the app's
  // thread, a timer (or a webhook request) would wait until the statement ended.
  const started = performance.now();
  let timerFiredAfter = -1;
  setTimeout(() => {
    timerFiredAfter = performance.now() - started;
  }, 20);
  await sql`select count(*) from generate_series(1, 1000000)`.execute(handle.db);
  const statementTook = performance.now() - started;
  expect(timerFiredAfter).toBeGreaterThan(0);
  expect(timerFiredAfter).toBeLessThan(statementTook);
});

it('reports a database error with its PostgreSQL fields', async () => {
  await sql`create temporary table pairs (k int primary key)`.execute(handle.db);
  await sql`insert into pairs values (1)`.execute(handle.db);
  const failure = await sql`insert into pairs values (1)`.execute(handle.db).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(Error);
  expect(failure).toMatchObject({ code: '23505', constraint: 'pairs_pkey' });
  expect((failure as Error).message).toMatch(/duplicate key/);
});
