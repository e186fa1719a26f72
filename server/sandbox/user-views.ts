import { isoSeconds } from './ids';
import type { Company, CompanyUser } from './model';
import type { SandboxState } from './state';

/**
 * Company-user JSON in each of Procore's shapes (`procore-oas/INDEX.md` fact 3, and the OAS files
 * named below): list items and show/me differ, and v1.3 adds `view`.
 */

const iso = (ms: number | null) => (ms === null ? null : isoSeconds(ms));

/** A template as user records show it (§2.2): what it grants is only in the manifest (§2.5). */
function template(company: Company, id: number | null) {
  if (id === null) return null;
  const t = company.permissionTemplates.find((p) => p.id === id);
  return t ? { id: t.id, name: t.name, project_specific: t.project_specific, type: t.type } : null;
}

const COMPANY_TEMPLATE_KEYS = ['company_permission_template', 'company_permission_template_id'] as const;

/**
 * A response with the company-template keys left out of every user record, for
 * `permissions.omitCompanyPermissionTemplate`: a Procore that does not send them at all.
 */
export function withoutCompanyTemplate(payload: unknown): unknown {
  const strip = (item: unknown) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    const copy = { ...(item as Record<string, unknown>) };
    for (const key of COMPANY_TEMPLATE_KEYS) delete copy[key];
    return copy;
  };
  return Array.isArray(payload) ? payload.map(strip) : strip(payload);
}

/** Route `preSerialization` hook applying `withoutCompanyTemplate` while the setting is on. */
export function companyTemplateSetting(state: SandboxState) {
  return async (_request: unknown, _reply: unknown, payload: unknown) =>
    state.settings.permissions.omitCompanyPermissionTemplate ? withoutCompanyTemplate(payload) : payload;
}

/** Fields common to every shape (RestV10CompaniesCompanyIdUsersGet ∩ …UsersIdGet). */
function base(u: CompanyUser) {
  return {
    address: u.address,
    avatar: u.avatar,
    business_id: u.business_id,
    business_phone: u.business_phone,
    business_phone_extension: u.business_phone_extension,
    city: u.city,
    country_code: u.country_code,
    created_at: isoSeconds(u.created_at),
    email_address: u.email_address,
    email_signature: u.email_signature,
    employee_id: u.employee_id,
    fax_number: u.fax_number,
    first_name: u.first_name,
    id: u.id,
    initials: u.initials,
    is_active: u.is_active,
    is_employee: u.is_employee,
    job_title: u.job_title,
    last_login_at: iso(u.last_login_at),
    last_name: u.last_name,
    mobile_phone: u.mobile_phone,
    name: fullName(u),
    notes: u.notes,
    origin_id: u.origin_id,
    origin_data: u.origin_data,
    state_code: u.state_code,
    updated_at: isoSeconds(u.updated_at),
    vendor: u.vendor ? { id: u.vendor.id, name: u.vendor.name } : null,
    work_classification_id: u.work_classification_id,
    zip: u.zip,
  };
}

export function fullName(u: { first_name: string | null; last_name: string }): string {
  return [u.first_name, u.last_name].filter((s) => s && s.length > 0).join(' ');
}

/** v1.0–v1.2 list item: 36 fields (RestV10CompaniesCompanyIdUsersGet.json). */
export function userListItemV10(company: Company, u: CompanyUser) {
  return {
    ...base(u),
    contact_id: u.contact_id,
    erp_integrated_accountant: u.erp_integrated_accountant,
    last_activated_at: iso(u.last_activated_at),
    welcome_email_sent_at: iso(u.welcome_email_sent_at),
    permission_template: template(company, u.default_permission_template_id),
    company_permission_template: template(company, u.company_permission_template_id),
  };
}

/** v1.3 list item, view=normal: the v1.0 item without `last_activated_at` (RestV13…UsersGet PY). */
export function userListItemV13(company: Company, u: CompanyUser, view: 'normal' | 'extended') {
  const { last_activated_at: _omit, ...normal } = userListItemV10(company, u);
  return view === 'extended' ? { ...normal, role: u.role, verified_employee: u.verified_employee } : normal;
}

/** v1.0–v1.2 show: 34 fields (RestV10CompaniesCompanyIdUsersIdGet.json). */
export function userShowV10(u: CompanyUser) {
  return {
    ...base(u),
    company_permission_template_id: u.company_permission_template_id,
    default_permission_template_id: u.default_permission_template_id,
    is_insurance_manager: u.is_insurance_manager,
    locale: u.locale,
  };
}

/** v1.3 show: the v1.0 show plus `contact_id`; view=extended adds role and verified_employee. */
export function userShowV13(u: CompanyUser, view: 'normal' | 'extended') {
  const normal = { ...userShowV10(u), contact_id: u.contact_id };
  return view === 'extended' ? { ...normal, role: u.role, verified_employee: u.verified_employee } : normal;
}

/** `/companies/{id}/me` v1.0: show − locale + add_to_new_projects (RestV10CompaniesCompanyIdMeGet.json). */
export function companyMeV10(u: CompanyUser) {
  const { locale: _omit, ...rest } = userShowV10(u);
  return { ...rest, add_to_new_projects: false };
}

/** `/companies/{id}/me` v1.1–v1.3 (PY CompanyUser6, RestV13CompaniesCompanyIdMeGet.json). */
export function companyMeV13(company: Company, u: CompanyUser) {
  const { locale: _omit, ...rest } = userShowV10(u);
  return {
    ...rest,
    erp_integrated_accountant: u.erp_integrated_accountant,
    login_information_uuid: null,
    party_id: u.personId,
    permission_template: template(company, u.default_permission_template_id),
    welcome_email_sent_at: iso(u.welcome_email_sent_at),
  };
}
