import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type DatabaseHandle, openPglite, openPostgres } from '../../server/db/connect';
import { withDatabase } from './global-setup';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too where TEST_DATABASE_URL is set (CI sets it). */
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** A freshly migrated database of its own: a loaded PGlite snapshot, or a clone of the PG template. */
export async function freshDatabase(backend: Backend): Promise<DatabaseHandle> {
  if (backend === 'pglite') {
    const snapshot = readFileSync(inject('pgliteSnapshot'));
    return openPglite({ loadDataDir: new Blob([snapshot], { type: 'application/x-gzip' }) });
  }
  const url = process.env.TEST_DATABASE_URL!;
  const name = `pws_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
  } finally {
    await admin.end();
  }
  const handle = await openPostgres(withDatabase(url, name));
  return {
    ...handle,
    close: async () => {
      await handle.close();
      // Let the pool's sockets finish closing before the database goes away under them.
      await new Promise((r) => setTimeout(r, 50));
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * Runs a suite once per backend, each with its own fresh database, available through `db()`
 * inside the suite's tests.
 */
export function describeEachDatabase(
  name: string,
  suite: (ctx: { db: () => DatabaseHandle; backend: Backend }) => void,
) {
  for (const backend of BACKENDS) {
    describe(`${name} [${backend}]`, () => {
      let handle: DatabaseHandle | undefined;
      beforeAll(async () => {
        handle = await freshDatabase(backend);
      });
      afterAll(async () => {
        await handle?.close();
      });
      suite({
        backend,
        db: () => {
          if (!handle) throw new Error('database not ready');
          return handle;
        },
      });
    });
  }
}
