/**
 * The slice of a Procore company user the sync reads (procore-api.md §2.2, §10.2): ids are
 * strings in our code, every field but `id` may be null. `server/procore/schemas.ts`
 * `companyUserSchema` parses responses into a superset of this, so its output can be passed in.
 */
export interface SyncUser {
  id: string;
  first_name: string | null;
  last_name: string | null;
  name?: string | null;
  email_address: string | null;
  mobile_phone: string | null;
  is_employee: boolean | null;
  is_active: boolean | null;
  employee_id: string | null;
  work_classification_id: string | null;
  /** ISO 3166 alpha-2; the region for phone numbers typed without a country code. */
  country_code?: unknown;
  updated_at: string | null;
}

/** The name a log shows for a user: "First Last", else Procore's `name`, else the id. */
export function displayName(user: Pick<SyncUser, 'id' | 'first_name' | 'last_name' | 'name'>): string {
  const full = [user.first_name, user.last_name]
    .map((p) => p?.trim())
    .filter(Boolean)
    .join(' ');
  if (full) return full;
  if (user.name?.trim()) return user.name.trim();
  return `Procore user ${user.id}`;
}

export function updatedAtOf(user: Pick<SyncUser, 'updated_at'>): Date | null {
  if (!user.updated_at) return null;
  const t = Date.parse(user.updated_at);
  return Number.isNaN(t) ? null : new Date(t);
}
