import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { CompanySession, ProcoreClient } from '../procore/client';
import { ProcoreNotFoundError } from '../procore/errors';
import type { DirectoryFactory, UserDirectory } from './directory';

/**
 * The sync's `UserDirectory` over the typed Procore client (server/procore). Procore ids arrive
 * as strings already (schemas/common.ts `procoreId`).
 */
export type DirectorySession = Pick<
  CompanySession,
  'listCompanyUsers' | 'listInactiveCompanyUsers' | 'getCompanyUser' | 'listWorkClassifications'
>;

export function procoreDirectory(session: DirectorySession, opts: { perPage?: number } = {}): UserDirectory {
  return {
    async *activeUsers(o = {}) {
      const list = session.listCompanyUsers({
        updatedSince: o.updatedSince,
        perPage: opts.perPage,
        signal: o.signal,
      });
      for await (const page of list.pages()) yield { users: page.items, total: page.total };
    },
    async *inactiveUsers(o = {}) {
      const list = session.listInactiveCompanyUsers({ perPage: opts.perPage, signal: o.signal });
      for await (const page of list.pages()) yield { users: page.items, total: page.total };
    },
    async user(id) {
      try {
        return await session.getCompanyUser(id);
      } catch (err) {
        // Procore answers 404 for a user removed from the company or invisible to us (§8).
        if (err instanceof ProcoreNotFoundError) return null;
        throw err;
      }
    },
    async classifications() {
      const all = await session.listWorkClassifications().toArray();
      return all.map((c) => ({ id: c.id, name: c.name }));
    },
  };
}

/**
 * Background access as design.md flow 2 says: the service account, or the connecting admin's
 * token where the company chose that (`companies.access_mode`).
 */
export function procoreDirectoryFactory(client: ProcoreClient, db: Kysely<Database>): DirectoryFactory {
  return async (company) => {
    const row = await db
      .selectFrom('companies')
      .select('access_mode')
      .where('id', '=', company.id)
      .executeTakeFirst();
    const auth = row?.access_mode === 'user_token' ? 'user' : 'service';
    return procoreDirectory(client.forCompany(company.id, { auth }));
  };
}
