import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite } from '../../server/db/connect';
import { migrateToLatest } from '../../server/db/migrate';

/**
 * Migrates once per test run: a PGlite snapshot that each test file loads (about 0.5 s), and,
 * where TEST_DATABASE_URL is set, a PostgreSQL template database each file clones
 *.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'pws-test-'));
  const handle = await openPglite();
  await migrateToLatest(handle.db);
  const snapshot = await handle.pglite.dumpDataDir();
  const snapshotPath = join(dir, 'migrated.tar.gz');
  writeFileSync(snapshotPath, Buffer.from(await snapshot.arrayBuffer()));
  await handle.close();
  project.provide('pgliteSnapshot', snapshotPath);

  const url = process.env.TEST_DATABASE_URL;
  let template: string | undefined;
  if (url) {
    template = `pws_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${template}`);
    await admin.query(`create database ${template}`);
    await admin.end();
    const { openPostgres } = await import('../../server/db/connect');
    const tpl = await openPostgres(withDatabase(url, template), 2);
    await migrateToLatest(tpl.db);
    await tpl.close();
  }
  project.provide('pgTemplate', template ?? '');

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (url && template) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop database if exists ${template}`);
      await admin.end();
    }
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    pgTemplate: string;
  }
}
