import { z } from 'zod';
import type { Company, CompanyUser, Person } from './model';
import type { SandboxState } from './state';

/** Who made a change: lands in webhook `metadata` (procore-api.md §6.2, §6.3 loop prevention). */
export interface ChangeSource {
  userId: number | null;
  applicationId: string | null;
}

export type DirectoryEventType = 'create' | 'update' | 'delete';

/** Receives directory changes; the webhook dispatcher turns them into deliveries. */
export type DirectoryListener = (
  company: Company,
  resourceName: string,
  eventType: DirectoryEventType,
  resourceId: number,
  source: ChangeSource,
) => void;

const text = z.string().trim();
const nullableText = z
  .string()
  .nullable()
  .transform((v) => (v === null || v.trim() === '' ? null : v));

/** Writable company-user fields (procore-api.md §2.2, RestV13CompaniesCompanyIdUsersPost). */
export const userPatchSchema = z
  .object({
    first_name: nullableText,
    last_name: text.min(1),
    email_address: nullableText,
    mobile_phone: nullableText,
    business_phone: nullableText,
    job_title: nullableText,
    address: nullableText,
    city: nullableText,
    zip: nullableText,
    state_code: nullableText,
    country_code: nullableText,
    notes: nullableText,
    is_employee: z.boolean(),
    is_active: z.boolean(),
    employee_id: nullableText,
    origin_id: nullableText,
    origin_data: nullableText,
    work_classification_id: z.number().int().nullable(),
    vendor_id: z.number().int().nullable(),
    company_permission_template_id: z.number().int().nullable(),
  })
  .partial()
  .strict();

export type UserPatch = z.infer<typeof userPatchSchema>;

export const userCreateSchema = userPatchSchema.extend({ last_name: text.min(1) });
export type UserCreate = z.infer<typeof userCreateSchema>;

export class DirectoryError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field = '',
  ) {
    super(message);
  }
}

function initials(first: string | null, last: string): string | null {
  const s = `${first?.[0] ?? ''}${last[0] ?? ''}`.toUpperCase();
  return s.length > 0 ? s : null;
}

/** The changes a sandbox directory makes, each announced to the listener as Procore would. */
export class DirectoryService {
  constructor(
    private readonly state: SandboxState,
    private readonly listener: DirectoryListener,
  ) {}

  createUser(company: Company, input: UserCreate, source: ChangeSource): CompanyUser {
    const now = this.state.now();
    const email = input.email_address ?? null;
    const existing = email
      ? [...this.state.logins.values()].find((l) => l.email.toLowerCase() === email.toLowerCase())
      : undefined;
    if (existing && company.users.has(existing.id)) {
      throw new DirectoryError(
        409,
        'A user with this email address already exists in this company',
        'email_address',
      );
    }
    const id = existing?.id ?? this.state.next('user');
    const user: CompanyUser = blankUser(
      id,
      company.id,
      this.state.next('person'),
      this.state.next('contact'),
      now,
    );
    this.assign(company, user, input);
    if (!existing) {
      this.state.logins.set(id, { id, email: email ?? `user${id}@sandbox.invalid`, name: input.last_name });
    }
    company.users.set(id, user);
    company.people.set(user.personId, personForUser(user));
    this.syncLogin(user);
    this.state.touch(company);
    this.listener(company, 'Company Users', 'create', id, source);
    return user;
  }

  updateUser(company: Company, userId: number, patch: UserPatch, source: ChangeSource): CompanyUser {
    const user = company.users.get(userId);
    if (!user) throw new DirectoryError(404, 'User not found');
    const wasActive = user.is_active;
    this.assign(company, user, patch);
    const now = this.state.now();
    user.updated_at = Math.max(now, user.updated_at + 1);
    if (!wasActive && user.is_active) user.last_activated_at = now;
    const person = company.people.get(user.personId);
    if (person) person.updated_at = user.updated_at;
    this.syncLogin(user);
    this.state.touch(company);
    // §9.13: whether deactivation emits `update` or `delete` is undocumented; configurable.
    const eventType =
      wasActive && !user.is_active ? this.state.settings.webhooks.deactivationEvent : ('update' as const);
    this.listener(company, 'Company Users', eventType, userId, source);
    return user;
  }

  /** Removes a user from the company directory entirely (Procore's `delete` event). */
  removeUser(company: Company, userId: number, source: ChangeSource): void {
    const user = company.users.get(userId);
    if (!user) throw new DirectoryError(404, 'User not found');
    company.users.delete(userId);
    company.people.delete(user.personId);
    this.state.touch(company);
    this.listener(company, 'Company Users', 'delete', userId, source);
  }

  private assign(company: Company, user: CompanyUser, patch: UserPatch): void {
    const { vendor_id, work_classification_id, company_permission_template_id, ...plain } = patch;
    if (work_classification_id !== undefined && work_classification_id !== null) {
      if (!company.classifications.has(work_classification_id)) {
        throw new DirectoryError(422, 'Work classification not found', 'work_classification_id');
      }
    }
    if (vendor_id !== undefined) {
      const vendor = vendor_id === null ? null : company.vendors.find((v) => v.id === vendor_id);
      if (vendor === undefined) throw new DirectoryError(422, 'Vendor not found', 'vendor_id');
      user.vendor = vendor;
    }
    if (company_permission_template_id !== undefined) {
      user.company_permission_template_id = company_permission_template_id;
    }
    if (work_classification_id !== undefined) user.work_classification_id = work_classification_id;
    for (const [k, v] of Object.entries(plain)) {
      if (v !== undefined) (user as unknown as Record<string, unknown>)[k] = v;
    }
    user.initials = initials(user.first_name, user.last_name);
  }

  private syncLogin(user: CompanyUser): void {
    const login = this.state.logins.get(user.id);
    if (login) login.name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  }
}

export function blankUser(
  id: number,
  companyId: number,
  personId: number,
  contactId: number,
  now: number,
): CompanyUser {
  return {
    id,
    companyId,
    personId,
    contact_id: contactId,
    first_name: null,
    last_name: '',
    initials: null,
    email_address: null,
    mobile_phone: null,
    business_phone: null,
    business_phone_extension: null,
    fax_number: null,
    address: null,
    city: null,
    zip: null,
    state_code: null,
    country_code: 'US',
    job_title: null,
    notes: null,
    avatar: null,
    email_signature: null,
    business_id: null,
    is_employee: false,
    is_active: true,
    employee_id: null,
    origin_id: null,
    origin_data: null,
    work_classification_id: null,
    vendor: null,
    company_permission_template_id: null,
    default_permission_template_id: null,
    erp_integrated_accountant: false,
    is_insurance_manager: false,
    locale: 'en',
    role: null,
    verified_employee: false,
    isServiceAccount: false,
    created_at: now,
    updated_at: now,
    last_login_at: null,
    welcome_email_sent_at: now,
    last_activated_at: now,
  };
}

/** A login user's person: its fields are read through from the company user (people.routes.ts). */
export function personForUser(user: CompanyUser): Person {
  return {
    id: user.personId,
    companyId: user.companyId,
    userId: user.id,
    first_name: null,
    last_name: '',
    is_employee: false,
    employee_id: null,
    active: true,
    origin_id: null,
    job_title: null,
    work_classification_id: null,
    email: null,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
}
