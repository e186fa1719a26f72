import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import * as repo from './settings.repository';
import type { SettingsPatch, SyncSettings } from './settings.schemas';

/**
 * Per-company switches (seed.md: Sync Classifications, Autosync; design.md: user sync on/off).
 * A company gets its row when it connects; one that has none reads as the defaults.
 */
export type CompanySettings = Omit<SyncSettings, 'lastAutoSyncAt' | 'nextAutoSyncAt'>;

/** Spreads companies over the hour (design.md flow 5: not all at :00): FNV-1a of the id, mod 60. */
export function autosyncMinuteFor(companyId: string): number {
  let h = 0x811c9dc5;
  for (const ch of companyId) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 60;
}

export async function getSettings(db: Kysely<Database>, companyId: string): Promise<CompanySettings> {
  const row = await repo.findSettings(db, companyId);
  return {
    userSyncEnabled: row?.user_sync_enabled ?? true,
    syncClassifications: row?.sync_classifications ?? false,
    autosync: row?.autosync ?? false,
    autosyncMinute: row?.autosync_minute ?? autosyncMinuteFor(companyId),
    autoSyncTimeCards: row?.timesheet_sync_enabled ?? false,
    onlyApproved: row?.timesheets_only_approved ?? false,
    includeSubWorkers: row?.timesheets_include_sub_workers ?? false,
  };
}

/** A newly connected company's settings; a reconnect keeps the ones it had. */
export function ensureSettings(db: Kysely<Database>, companyId: string): Promise<void> {
  return repo.insertDefaultSettings(db, companyId, autosyncMinuteFor(companyId));
}

export async function changeSettings(
  db: Kysely<Database>,
  companyId: string,
  patch: SettingsPatch,
): Promise<CompanySettings> {
  await ensureSettings(db, companyId);
  const set = {
    ...(patch.syncClassifications !== undefined ? { sync_classifications: patch.syncClassifications } : {}),
    ...(patch.autosync !== undefined ? { autosync: patch.autosync } : {}),
    ...(patch.userSyncEnabled !== undefined ? { user_sync_enabled: patch.userSyncEnabled } : {}),
    ...(patch.autoSyncTimeCards !== undefined ? { timesheet_sync_enabled: patch.autoSyncTimeCards } : {}),
    ...(patch.onlyApproved !== undefined ? { timesheets_only_approved: patch.onlyApproved } : {}),
    ...(patch.includeSubWorkers !== undefined
      ? { timesheets_include_sub_workers: patch.includeSubWorkers }
      : {}),
    // Each company gets its own minute of the hour (design.md flow 5: not all at :00).
    ...(patch.autosync || patch.autoSyncTimeCards ? { autosync_minute: autosyncMinuteFor(companyId) } : {}),
  };
  if (Object.keys(set).length > 0) await repo.updateSettings(db, companyId, set);
  return getSettings(db, companyId);
}

export const listAutosyncDue = repo.listAutosyncDue;
export const listTimesheetAutoDue = repo.listTimesheetAutoDue;
