import { issueSession, sessionKey } from '../server/auth/session';
import { migrateToLatest } from '../server/db/migrate';
import type { RunningSandbox } from '../server/sandbox';
import { userCreateSchema } from '../server/sandbox/directory.service';
import { ensureSettings } from '../server/settings/settings.service';
import { APP_SECRET, type Store } from './app-process';

/**
 * Many small companies for the multi-company benchmarks: made in the in-process sandbox and registered in the app's database as connected companies.
 */

export interface BenchCompany {
  id: string;
  name: string;
  serviceAccountUserId: number;
}

const FIRST_ID = 5_100_001;

export async function seedCompanies(
  sandbox: RunningSandbox,
  count: number,
  usersEach: number,
): Promise<BenchCompany[]> {
  const app = sandbox.handle.app;
  const companies: BenchCompany[] = [];
  for (let c = 0; c < count; c++) {
    const id = FIRST_ID + c;
    const res = await app.inject({
      method: 'POST',
      url: '/_sandbox/companies',
      payload: { id, name: `Bench Company ${c + 1}` },
    });
    if (res.statusCode !== 201) throw new Error(`company ${id}: ${res.statusCode} ${res.body}`);
    const summary = res.json() as { service_account_user_id: number };
    const company = sandbox.handle.state.companies.get(id);
    if (!company) throw new Error(`company ${id} was not made`);
    // Straight into the sandbox's directory, as its control API would: a request each is minutes.
    // No e-mail: the sandbox looks every new e-mail up among all logins, which is quadratic at
    // this size. So every run reads and logs its 300 people, each skipped for the missing email
    // (one batch row a run), and makes no workers: these benchmarks measure the queue and the
    // schedule, not the writes (the `sync` bench does).
    for (let u = 0; u < usersEach; u++) {
      sandbox.handle.directory.createUser(
        company,
        userCreateSchema.parse({
          first_name: `Worker${u}`,
          last_name: `Company${c}`,
          mobile_phone: `+1512${200 + (c % 700)}${String(u).padStart(4, '0')}`,
          job_title: u % 3 === 0 ? 'Carpenter' : u % 3 === 1 ? 'Electrician' : 'Laborer',
          is_employee: true,
        }),
        { userId: null, applicationId: null },
      );
    }
    companies.push({
      id: String(id),
      name: `Bench Company ${c + 1}`,
      serviceAccountUserId: summary.service_account_user_id,
    });
  }
  return companies;
}

/** Migrates the store and records every company as connected, with default settings. */
export async function registerCompanies(
  store: Store,
  companies: BenchCompany[],
  settings: { autosync?: boolean; autosyncMinute?: (index: number) => number } = {},
): Promise<void> {
  const database = await store.open();
  try {
    await migrateToLatest(database.db);
    for (const [i, c] of companies.entries()) {
      await database.db
        .insertInto('companies')
        .values({ id: c.id, name: c.name, service_account_user_id: String(c.serviceAccountUserId) })
        .execute();
      await ensureSettings(database.db, c.id);
      if (settings.autosync) {
        await database.db
          .updateTable('company_settings')
          .set(
            settings.autosyncMinute
              ? { autosync: true, autosync_minute: settings.autosyncMinute(i) }
              : { autosync: true },
          )
          .where('company_id', '=', c.id)
          .execute();
      }
    }
  } finally {
    await database.close();
  }
}

/** An admin session for the company, minted from the app's secret. */
export async function adminToken(companyId: string): Promise<string> {
  const { token } = await issueSession(sessionKey(APP_SECRET), {
    companyId,
    procoreUserId: '8150001',
    userName: 'Bench Admin',
    isAdmin: true,
  });
  return token;
}

/** The sandbox's summary of one of its companies. */
export async function sandboxCompany(sandboxUrl: string, companyId: string) {
  const res = await fetch(`${sandboxUrl}/_sandbox/companies/${companyId}`);
  return (await res.json()) as {
    name: string;
    service_account_user_id: number;
    active_users: number;
    inactive_users: number;
  };
}

/** Migrates the store and records the sandbox's company as connected, with default settings. */
export async function registerSandboxCompany(store: Store, sandboxUrl: string, companyId: string) {
  const summary = await sandboxCompany(sandboxUrl, companyId);
  await registerCompanies(store, [
    { id: companyId, name: summary.name, serviceAccountUserId: summary.service_account_user_id },
  ]);
}
