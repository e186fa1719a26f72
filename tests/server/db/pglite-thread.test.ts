import type { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { openPglite } from '../../../server/db/connect';
import { threadFlags } from '../../../server/db/pglite-thread';
import { freshDatabase } from '../../helpers/db';

it("gives the database's thread the app's profiler flags only, not its preloads or V8's flags", () => {
  expect(
    threadFlags([
      '--max-old-space-size=512',
      '--max-semi-space-size=2',
      '--import',
      'tsx',
      '--import=./hooks.mjs',
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/prof',
    ]),
  ).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
});

it('reports a database thread that stops on its own, and every later query says so', async () => {
  const handle = (await freshDatabase('pglite')) as Awaited<ReturnType<typeof openPglite>>;
  const errors: string[] = [];
  handle.onError((err) => errors.push(err.message));
  expect((await sql<{ n: number }>`select 1 as n`.execute(handle.db)).rows).toEqual([{ n: 1 }]);

  // As a crash of the thread would (the WebAssembly aborting): the thread ends under the app.
  await (handle.pglite as unknown as { worker: Worker }).worker.terminate();

  expect(errors).toEqual([expect.stringMatching(/^the embedded database stopped/)]);
  await expect(sql`select 1`.execute(handle.db)).rejects.toThrow(/the embedded database stopped/);
  expect((await handle.ping()).ok).toBe(false);
  await handle.close();
  expect(errors).toHaveLength(1);
});

it('reports nothing when the database is closed', async () => {
  const handle = await freshDatabase('pglite');
  const errors: Error[] = [];
  handle.onError((err) => errors.push(err));
  await sql`select 1`.execute(handle.db);
  await handle.close();
  expect(errors).toEqual([]);
});
