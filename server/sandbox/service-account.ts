import { randomBytes } from 'node:crypto';
import { blankUser, personForUser } from './directory.service';
import type { Company, CompanyUser } from './model';
import type { Rng } from './prng';
import type { SandboxState } from './state';

/**
 * Installing the app in a company (procore-api.md §1.4): Procore creates a Developer Managed
 * Service Account directory user whose name and email are prefixed with the app name plus a
 * random string; it is not an employee. Reinstalling reactivates the same user.
 * Returns the user and whether it is new (the caller announces a `create` or `update`).
 */
export function installServiceAccount(
  state: SandboxState,
  company: Company,
  rng?: Rng,
): { user: CompanyUser; created: boolean } {
  company.installed = true;
  const existing =
    company.serviceAccountUserId !== null ? company.users.get(company.serviceAccountUserId) : undefined;
  const now = state.now();
  if (existing) {
    if (!existing.is_active) {
      existing.is_active = true;
      existing.last_activated_at = now;
      existing.updated_at = now;
    }
    state.touch(company);
    return { user: existing, created: false };
  }
  const suffix = rng
    ? Array.from({ length: 10 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[rng.int(0, 35)]).join('')
    : randomBytes(8).toString('hex').slice(0, 10);
  const slug = state.settings.appName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const id = state.next('user');
  const user = blankUser(id, company.id, state.next('person'), state.next('contact'), now);
  Object.assign(user, {
    first_name: state.settings.appName,
    last_name: suffix,
    initials: state.settings.appName.slice(0, 2).toUpperCase(),
    email_address: `${slug}-${suffix}@dmsa.procore.example`,
    is_employee: false,
    isServiceAccount: true,
    country_code: null,
    welcome_email_sent_at: null,
  } satisfies Partial<CompanyUser>);
  company.users.set(id, user);
  company.people.set(user.personId, personForUser(user));
  state.logins.set(id, { id, email: user.email_address ?? '', name: `${user.first_name} ${suffix}` });
  company.serviceAccountUserId = id;
  state.touch(company);
  return { user, created: true };
}

/** Uninstalling: calls answer 403 "App is not connected" and the service account is deactivated. */
export function uninstallApp(state: SandboxState, company: Company): void {
  company.installed = false;
  const sa =
    company.serviceAccountUserId !== null ? company.users.get(company.serviceAccountUserId) : undefined;
  if (sa) {
    sa.is_active = false;
    sa.updated_at = state.now();
  }
  state.touch(company);
}
