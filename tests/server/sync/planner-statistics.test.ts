import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser, queueManualRun } from '../../helpers/sync-factories';
import { runSync } from '../../helpers/sync-runner';

/**
 * The embedded database has no autovacuum, so nothing else would ever tell its planner how many
 * workers there are: a sync that adds them refreshes the statistics, and a page's lookups then
 * go through the indexes instead of reading every worker of the company.
 */
describeEachDatabase('planner statistics while a sync adds workers', ({ db }) => {
  it('a first sync of 2,500 people leaves the planner knowing of its workers', async () => {
    const company = await newCompany(db().db);
    const pages = Array.from({ length: 5 }, () => Array.from({ length: 500 }, () => procoreUser()));
    const run = await runSync(
      db().db,
      () => memoryDirectory({ active: pages }),
      company.id,
      await queueManualRun(db().db, company.id),
    );
    expect(run).toMatchObject({ status: 'succeeded', created: 2500 });
    const { rows } = await sql<{ tuples: number }>`
      select reltuples::float8 as tuples from pg_class where oid = 'workers'::regclass`.execute(db().db);
    // Analyzed at 1,000 workers (never analyzed reads -1), so the planner expects at least that many.
    expect(Number(rows[0]!.tuples)).toBeGreaterThanOrEqual(1000);
  });
});
