import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { CompanySession, ProcoreClient } from '../procore/client';

/**
 * Background calls for a company (design.md flow 2): its service account when the app was
 * installed with one, else the connecting admin's stored token.
 */
export async function companyProcore(
  client: ProcoreClient,
  db: Kysely<Database>,
  companyId: string,
): Promise<CompanySession> {
  const row = await db
    .selectFrom('companies')
    .select('access_mode')
    .where('id', '=', companyId)
    .executeTakeFirst();
  return client.forCompany(companyId, { auth: row?.access_mode === 'user_token' ? 'user' : 'service' });
}
