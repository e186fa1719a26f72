import pino from 'pino';
import { parseConfig } from '../server/config';
import { openPglite } from '../server/db/connect';
import { migrateToLatest } from '../server/db/migrate';
import { startSandbox } from '../server/sandbox';
import { createServices } from '../server/services';
import { changeSettings, ensureSettings } from '../server/settings/settings.service';
import { requestManualSend } from '../server/timesheets/send.service';
import { executeTimesheetRun } from '../server/timesheets/send-run';
import { createTimesheet } from '../server/timesheets/timesheets.service';
import { createLocalWorker, setWorkerPerson } from '../server/workers/workers.service';
import type { BenchResult } from './run';

/**
 * One week for a 500-worker crew sent to the sandbox with Procore's default limits (3,600 an hour,
 * 100 per 10 s, as the sandbox's defaults): 400 workers whose Procore person is already known and
 * 100 who become new contacts, five days each on one project: 2,500 timesheets.
 *
 * The fewest Procore requests that can do it: the project list (its name for the log), one page of
 * active people (the contacts looked for by origin_id), one page of inactive people (the same, for
 * contacts deactivated in Procore), one create per new contact (Procore documents no bulk create
 * of people), and the company bulk create in bodies of `BULK_SIZE` (2,500 / 500 = 5): 108.
 * The 100 per 10 s spike window means the pacer has to hold back, so the wall time is mostly the
 * limit's, not the app's.
 */
const ACME = '4280001';
const KNOWN = 400;
const NEW_CONTACTS = 100;
const DAYS = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'];

export async function run(): Promise<BenchResult[]> {
  const sandbox = await startSandbox({ port: 0, appUrl: 'http://localhost:3000', logLevel: 'silent' });
  const database = await openPglite();
  await migrateToLatest(database.db);
  const config = parseConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PROCORE_CLIENT_ID: 'sandbox-client',
      PROCORE_CLIENT_SECRET: 'sandbox-secret',
      PROCORE_API_URL: sandbox.url,
      PROCORE_LOGIN_URL: sandbox.url,
      DATA_DIR: '/nonexistent',
      APP_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    },
    () => 'bench-secret-that-is-long-enough-0123456789',
  );
  const services = await createServices(config, database, {
    log: pino({ level: 'silent' }),
    schedule: false,
  });
  try {
    const db = database.db;
    const state = sandbox.handle.state;
    const company = state.company(Number(ACME));
    if (!company) throw new Error('the sandbox has no Acme');
    const projectId = String([...company.projects.values()][0]?.id);
    await db
      .insertInto('companies')
      .values({
        id: ACME,
        name: company.name,
        service_account_user_id: company.serviceAccountUserId ? String(company.serviceAccountUserId) : null,
        connection_state: 'connected',
      })
      .execute();
    await ensureSettings(db, ACME);
    await changeSettings(db, ACME, { includeSubWorkers: true, onlyApproved: false });

    // The crew: 400 with a person Procore already has (made straight in the simulator's memory,
    // so they cost no request), 100 who are no one in Procore yet.
    const now = state.now();
    for (let i = 0; i < KNOWN + NEW_CONTACTS; i++) {
      const w = await createLocalWorker(db, ACME, {
        firstName: 'Crew',
        lastName: `Member ${String(i).padStart(3, '0')}`,
        phone: `+1 ${i < 250 ? '312' : '773'} 555 ${2000 + (i % 250)}`,
        email: null,
        payrollId: `B-${i}`,
        positionId: null,
      });
      if (i < KNOWN) {
        const id = state.next('person');
        company.people.set(id, {
          id,
          companyId: company.id,
          userId: null,
          first_name: 'Crew',
          last_name: w.lastName,
          is_employee: false,
          employee_id: `B-${i}`,
          active: true,
          origin_id: w.id,
          job_title: null,
          work_classification_id: null,
          email: null,
          created_at: now,
          updated_at: now,
        });
        await setWorkerPerson(db, ACME, w.id, String(id));
      }
      for (const date of DAYS) {
        await createTimesheet(db, ACME, { workerId: w.id, projectId, date, hours: 8 });
      }
    }

    const { run } = await requestManualSend(services, {
      companyId: ACME,
      projectId,
      projectName: null,
      from: DAYS[0]!,
      to: DAYS.at(-1)!,
      startedByUserId: '8150001',
      startedByName: 'Bench',
    });
    // The service token is fetched before the clock starts: it is an OAuth call, not the API's.
    await services.procore.tokens.serviceAuth(ACME).accessToken();
    state.requests = [];
    const started = performance.now();
    const done = await executeTimesheetRun(services, ACME, run.id);
    const seconds = (performance.now() - started) / 1000;
    const rest = state.requests.filter((r) => r.path.startsWith('/rest/'));
    const created = [...company.timecards.values()].filter((e) => e.projectId === Number(projectId)).length;
    const contacts = [...company.people.values()].filter((p) => p.userId === null && p.origin_id).length;
    if (done?.status !== 'succeeded') throw new Error(`the send ended ${done?.status}`);
    const fewest = 1 + 1 + 1 + NEW_CONTACTS + Math.ceil((DAYS.length * (KNOWN + NEW_CONTACTS)) / 500);
    return [
      {
        name: 'timesheets: 2,500 for 500 workers (100 new contacts), Procore requests',
        value: rest.length,
        unit: 'count',
        goal: `${fewest} (the fewest possible)`,
      },
      {
        name: 'timesheets: 2,500 for 500 workers, 429 responses',
        value: rest.filter((r) => r.status === 429).length,
        unit: 'count',
        goal: '0',
      },
      {
        name: 'timesheets: 2,500 for 500 workers at 100 req/10 s, wall time',
        value: Math.round(seconds * 100) / 100,
        unit: 's',
      },
      {
        name: 'timesheets: entries in Procore afterwards / contacts made',
        value: created,
        unit: 'count',
        goal: `2500 / ${KNOWN + NEW_CONTACTS} contacts (${contacts})`,
      },
    ];
  } finally {
    await services.close();
    await sandbox.close();
    await database.close();
  }
}
