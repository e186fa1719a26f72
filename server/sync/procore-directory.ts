import type { CompaniesService } from '../companies/companies.service';
import type { CompanySession } from '../procore/client';
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

/** Over the company's background access (design.md flow 2: service account or admin token). */
export function procoreDirectoryFactory(companies: Pick<CompaniesService, 'procoreFor'>): DirectoryFactory {
  return async (company) => procoreDirectory(await companies.procoreFor(company.id));
}
