import type { Kysely } from 'kysely';
import type { Database } from '../db/database';

/** `company_settings`: one row per company, made when it connects. */
const SETTINGS_COLUMNS = [
  'user_sync_enabled',
  'sync_classifications',
  'autosync',
  'autosync_minute',
  'timesheet_sync_enabled',
  'timesheets_only_approved',
  'timesheets_include_sub_workers',
] as const;

export function findSettings(db: Kysely<Database>, companyId: string) {
  return db
    .selectFrom('company_settings')
    .select(SETTINGS_COLUMNS)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
}

export type SettingsRow = NonNullable<Awaited<ReturnType<typeof findSettings>>>;

export async function insertDefaultSettings(db: Kysely<Database>, companyId: string, autosyncMinute: number) {
  await db
    .insertInto('company_settings')
    .values({ company_id: companyId, autosync_minute: autosyncMinute })
    .onConflict((oc) => oc.column('company_id').doNothing())
    .execute();
}

export async function updateSettings(
  db: Kysely<Database>,
  companyId: string,
  set: Partial<SettingsRow>,
): Promise<void> {
  await db
    .updateTable('company_settings')
    .set({ ...set, updated_at: new Date() })
    .where('company_id', '=', companyId)
    .execute();
}

/** Companies whose hourly minute has come (`minute` past the hour) with Autosync on. */
export async function listAutosyncDue(db: Kysely<Database>, minute: number): Promise<string[]> {
  const rows = await db
    .selectFrom('company_settings')
    .select('company_id')
    .where('autosync', '=', true)
    .where('user_sync_enabled', '=', true)
    .where('autosync_minute', '<=', minute)
    .execute();
  return rows.map((r) => r.company_id);
}

/** Companies whose hourly minute has come with Auto Sync Time Cards on. */
export async function listTimesheetAutoDue(db: Kysely<Database>, minute: number): Promise<string[]> {
  const rows = await db
    .selectFrom('company_settings')
    .select('company_id')
    .where('timesheet_sync_enabled', '=', true)
    .where('autosync_minute', '<=', minute)
    .execute();
  return rows.map((r) => r.company_id);
}
