import type { Kysely } from 'kysely';
import { findCompany } from '../companies/companies.service';
import type { Database } from '../db/database';
import { getSettings } from '../settings/settings.service';
import { findSyncState } from './sync-state.repository';

/** What a user sync needs to know about a company: who it is, its switches, and its progress. */
export async function loadSyncCompany(db: Kysely<Database>, companyId: string) {
  const company = await findCompany(db, companyId);
  if (!company) return undefined;
  const settings = await getSettings(db, companyId);
  const state = await findSyncState(db, companyId);
  return {
    id: company.id,
    name: company.name,
    connection_state: company.connection_state,
    service_account_user_id: company.service_account_user_id,
    user_sync_enabled: settings.userSyncEnabled,
    sync_classifications: settings.syncClassifications,
    users_watermark: state?.users_watermark ?? null,
    last_full_sync_at: state?.last_full_sync_at ?? null,
  };
}

export type CompanyForSync = NonNullable<Awaited<ReturnType<typeof loadSyncCompany>>>;
