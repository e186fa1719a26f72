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

it('lets timers and sockets run between statements while a chain of them works', async () => {
  // PGlite answers without returning to the event loop: without a yield per statement, a timer
  // (or a webhook request) waits for the whole chain, however long it is.
  let done = 0;
  let doneWhenTimerFired = -1;
  setTimeout(() => {
    doneWhenTimerFired = done;
  }, 0);
  for (let i = 0; i < 50; i++) {
    await sql`select ${i}::int as i`.execute(handle.db);
    done++;
  }
  await handle.executeSql('select 1', []);
  expect(doneWhenTimerFired).toBeGreaterThanOrEqual(0);
  expect(doneWhenTimerFired).toBeLessThan(50);
});
