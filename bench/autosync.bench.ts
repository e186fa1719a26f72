import { sql } from 'kysely';
import pino from 'pino';
import { parseConfig } from '../server/config';
import { openPostgres } from '../server/db/connect';
import { startJobs } from '../server/jobs/registry';
import { createServices, type Services } from '../server/services';
import { autosyncTick } from '../server/sync/autosync.job';
import {
  APP_SECRET,
  control,
  freshStore,
  procoreRequests,
  round,
  sleep,
  startUnlimitedSandbox,
} from './app-process';
import { registerCompanies, seedCompanies } from './companies';
import type { BenchResult } from './run';

/**
 * Autosync across many companies: 500 companies of 200 users with autosync on, each at the minute
 * of the hour the app gives it, over one hour compressed to a minute (each minute of the app's clock
 * lasts BENCH_AUTOSYNC_MINUTE_MS of real time), on PostgreSQL with two app instances sharing the
 * database. Both instances tick every minute (pg-boss's cron sends one tick across processes; two
 * is the harder case for the claim) and both take runs from the queue. Measured: runs per company
 * (must be exactly 1), the largest minute's runs against the mean (≤ 2×), Procore requests against
 * the floor, and the wall time from the first tick to the last run's end. The instances are two
 * service sets in this process, each with its own pool, job queue and process lease, because the
 * app's clock can be compressed only from inside; CPU and peak RSS are therefore not the app's and
 * are not reported. Needs BENCH_DATABASE_URL. BENCH_AUTOSYNC_COMPANIES narrows the count.
 */
const COMPANIES = Number(process.env.BENCH_AUTOSYNC_COMPANIES ?? 500);
const USERS = 200;
const MINUTE_MS = Number(process.env.BENCH_AUTOSYNC_MINUTE_MS ?? 1_000);
const HOUR_START = Date.parse('2026-12-01T10:00:00Z');

export async function run(): Promise<BenchResult[]> {
  if (!process.env.BENCH_DATABASE_URL) {
    console.error('  autosync: skipped (it runs on PostgreSQL: set BENCH_DATABASE_URL)');
    return [];
  }
  const sandbox = await startUnlimitedSandbox();
  const store = await freshStore('postgres');
  const instances: Services[] = [];
  try {
    const companies = await seedCompanies(sandbox, COMPANIES, USERS);
    await registerCompanies(store, companies, { autosync: true });
    let clock = HOUR_START;
    const url = store.env.DATABASE_URL!;
    const config = parseConfig(
      {
        LOG_LEVEL: 'silent',
        DATA_DIR: '/nonexistent-bench-dir',
        DATABASE_URL: url,
        PUBLIC_URL: 'http://127.0.0.1:3999',
        PROCORE_LOGIN_URL: sandbox.url,
        PROCORE_API_URL: sandbox.url,
      },
      () => APP_SECRET,
    );
    for (let i = 0; i < 2; i++) {
      const services = await createServices(config, await openPostgres(url), {
        log: pino({ level: 'silent' }),
        schedule: false,
        now: () => new Date(clock),
      });
      instances.push(services);
      await startJobs(services);
    }
    await control(sandbox, '/_sandbox/requests', 'DELETE');

    const buckets: number[] = [];
    const started = Date.now();
    for (let minute = 0; minute < 60; minute++) {
      const minuteStarted = Date.now();
      clock = HOUR_START + minute * 60_000 + 1_000;
      const ticks = await Promise.all(instances.map((s) => autosyncTick(s)));
      buckets.push(ticks.flat().filter((r) => r.created).length);
      const left = MINUTE_MS - (Date.now() - minuteStarted);
      if (left > 0) await sleep(left);
    }
    const db = instances[0]!.db;
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      const { rows } = await sql<{ open: string }>`
        select count(*) as open from sync_runs where finished_at is null`.execute(db);
      if (Number(rows[0]?.open ?? 0) === 0) break;
      if (Date.now() > deadline) throw new Error('autosync runs did not finish');
      await sleep(250);
    }
    // Real time (the runs' own timestamps follow the compressed clock), to within one poll.
    const wallS = (Date.now() - started) / 1000;
    const { rows: perCompany } = await sql<{ company_id: string; runs: string; statuses: string }>`
      select company_id, count(*) as runs, string_agg(distinct status, '/') as statuses
        from sync_runs where trigger = 'auto' group by company_id`.execute(db);
    const runsPerCompany = companies.map((c) =>
      Number(perCompany.find((r) => r.company_id === c.id)?.runs ?? 0),
    );
    const exactlyOnce = runsPerCompany.filter((n) => n === 1).length;
    const statuses = [...new Set(perCompany.flatMap((r) => r.statuses.split('/')))].join('/');
    const mean = buckets.reduce((a, b) => a + b, 0) / buckets.length;
    const largest = Math.max(...buckets);
    const result: BenchResult = {
      name: `autosync [PostgreSQL]: ${COMPANIES} companies × ${USERS} users, hour in ${round((60 * MINUTE_MS) / 1000)} s, two instances`,
      value: round(wallS),
      unit: 's',
      goal: 'runs/company = 1; largest minute ≤ 2× mean',
      details: {
        requests: await procoreRequests(sandbox),
        // Each company: one page of active users, one of inactive users.
        floor: COMPANIES * 2,
        status: statuses,
        companies_run_once: `${exactlyOnce}/${COMPANIES}`,
        max_runs_per_company: Math.max(...runsPerCompany),
        largest_minute: largest,
        mean_minute: round(mean),
      },
    };
    console.error(`  ${result.name}: ${result.value} s ${JSON.stringify(result.details)}`);
    return [result];
  } finally {
    for (const s of instances) {
      await s.close(5_000).catch(() => {});
      await s.database.close().catch(() => {});
    }
    await sandbox.close();
    await store.drop();
  }
}
