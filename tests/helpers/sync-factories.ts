import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/database';
import { insertQueuedRun } from '../../server/runs/runs.repository';
import type { UserDirectory } from '../../server/sync/directory';
import type { SyncUser } from '../../server/sync/procore-user';

/** Factories for the sync's tests: each test makes its own company. */
let seq = 0;

export interface CompanyOptions {
  id?: string;
  name?: string;
  syncClassifications?: boolean;
  autosync?: boolean;
  autosyncMinute?: number;
  serviceAccountUserId?: string | null;
  userSyncEnabled?: boolean;
}

export async function newCompany(
  db: Kysely<Database>,
  o: CompanyOptions = {},
): Promise<{ id: string; name: string }> {
  seq += 1;
  const id = o.id ?? String(9_000_000 + Math.floor(Math.random() * 1_000_000) * 100 + (seq % 100));
  const name = o.name ?? `Test Builders ${seq}`;
  await db
    .insertInto('companies')
    .values({ id, name, service_account_user_id: o.serviceAccountUserId ?? null })
    .execute();
  await db
    .insertInto('company_settings')
    .values({
      company_id: id,
      sync_classifications: o.syncClassifications ?? false,
      autosync: o.autosync ?? false,
      autosync_minute: o.autosyncMinute ?? 0,
      user_sync_enabled: o.userSyncEnabled ?? true,
    })
    .execute();
  return { id, name };
}

let userSeq = 0;

/** A Procore company user (procore-api.md §2.2) that passes every rule unless told otherwise. */
export function procoreUser(o: Partial<SyncUser> = {}): SyncUser {
  userSeq += 1;
  const n = userSeq;
  return {
    id: String(8_000_000 + n),
    first_name: `First${n}`,
    last_name: `Last${n}`,
    email_address: `user${n}@example.com`,
    mobile_phone: `(312) 555-${String(1000 + (n % 9000)).padStart(4, '0')}`,
    is_employee: true,
    is_active: true,
    employee_id: `E${n}`,
    work_classification_id: null,
    country_code: 'US',
    updated_at: '2026-11-01T10:00:00Z',
    ...o,
  };
}

export async function newLocalWorker(
  db: Kysely<Database>,
  companyId: string,
  o: {
    firstName?: string;
    lastName?: string;
    email?: string | null;
    phone?: string | null;
    active?: boolean;
  } = {},
): Promise<string> {
  const row = await db
    .insertInto('workers')
    .values({
      company_id: companyId,
      first_name: o.firstName ?? 'Local',
      last_name: o.lastName ?? 'Worker',
      email: o.email ?? null,
      phone: o.phone ?? null,
      active: o.active ?? true,
      source: 'local',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An in-memory directory: pages as given; `failOnPage` throws when that active page is asked for. */
export function memoryDirectory(data: {
  active: SyncUser[][];
  inactive?: SyncUser[][];
  classifications?: Array<{ id: string; name: string }>;
  failOnActivePage?: number;
}): UserDirectory & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async *activeUsers(o = {}) {
      calls.push(o.updatedSince ? 'active:since' : 'active');
      const total = data.active.flat().length;
      for (let i = 0; i < data.active.length; i++) {
        if (data.failOnActivePage === i + 1) throw new Error('connection dropped');
        const users = o.updatedSince
          ? (data.active[i] ?? []).filter(
              (u) => !u.updated_at || Date.parse(u.updated_at) >= o.updatedSince!.getTime(),
            )
          : (data.active[i] ?? []);
        yield { users, total };
      }
    },
    async *inactiveUsers() {
      calls.push('inactive');
      const pages = data.inactive ?? [[]];
      for (const users of pages) yield { users, total: pages.flat().length };
    },
    async user(id) {
      calls.push(`user:${id}`);
      return [...data.active.flat(), ...(data.inactive ?? []).flat()].find((u) => u.id === id) ?? null;
    },
    async classifications() {
      calls.push('classifications');
      return data.classifications ?? [];
    },
  };
}

/** One company user as Procore's API returns it (procore-api.md §2.2), before any parsing. */
export function procoreCompanyUser() {
  return {
    id: 8150001,
    first_name: 'Dana',
    last_name: 'Whitfield',
    name: 'Dana Whitfield',
    email_address: 'dana@example.com',
    mobile_phone: '(312) 555-0100',
    is_employee: true,
    employee_id: '10001',
    is_active: true,
    work_classification_id: 2801,
    job_title: null,
    updated_at: '2026-11-01T10:00:00Z',
  };
}

/** A manual full user sync queued by an admin: its run id. */
export async function queueManualRun(db: Kysely<Database>, companyId: string): Promise<string> {
  const run = await insertQueuedRun(db, {
    kind: 'users',
    companyId,
    trigger: 'manual',
    mode: 'full',
    startedByUserId: '1',
    startedByName: 'Ada Admin',
    now: new Date(),
  });
  return run!.id;
}

/** How many batch rows hold a run's batched entries. */
export async function batchRowsOf(db: Kysely<Database>, runId: string): Promise<number> {
  const rows = await db
    .selectFrom('sync_run_entry_batches')
    .select('id')
    .where('run_id', '=', runId)
    .execute();
  return rows.length;
}
