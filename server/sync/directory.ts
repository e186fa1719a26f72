import type { SyncUser } from './procore-user';

/**
 * What the sync needs from Procore, and nothing more: the runner, preview and
 * webhooks depend on this interface; `procore-directory.ts` adapts the typed Procore client to it
 * and tests can hand in anything of this shape.
 */
export interface UserPage {
  users: SyncUser[];
  /** Procore's `Total` header for the whole list (procore-api.md §2.4), when sent. */
  total: number | undefined;
}

export interface UserDirectory {
  /** Active company users (§2.1 v1.3 list); `updatedSince` → `filters[updated_at]=since...now` (§2.3). */
  activeUsers(opts?: { updatedSince?: Date; signal?: AbortSignal }): AsyncIterable<UserPage>;
  /** Inactive company users (§2.1 `/users/inactive`: no filters there). */
  inactiveUsers(opts?: { signal?: AbortSignal }): AsyncIterable<UserPage>;
  /** One user's current state (webhooks), null when Procore no longer knows them (404). */
  user(id: string): Promise<SyncUser | null>;
  /** Company work classifications (§3). */
  classifications(): Promise<Array<{ id: string; name: string }>>;
}

export interface DirectoryCompany {
  id: string;
  name: string;
}

/** Builds the directory for one company (service account or the admin's token: design.md flow 2). */
export type DirectoryFactory = (company: DirectoryCompany) => Promise<UserDirectory> | UserDirectory;
