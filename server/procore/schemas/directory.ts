import { z } from 'zod';
import { optionalText, procoreId, timestamp } from './common';
import { EMAIL_MAX, identifierField, nameField, PHONE_MAX, withStorableText } from './storable';

/**
 * Directory resources (procore-api.md §1.5, §2, §3, §4). Field types from the OAS extracts in
 * shared/procore-oas (§10.2): every user field is nullable except `id`; `employee_id` is a string;
 * `work_classification_id` is a bare id.
 */

/** `GET /rest/v1.0/me` (§1.5). */
export const meSchema = withStorableText(
  z.looseObject({
    id: procoreId,
    login: z.string().nullable(),
    name: z.string().nullable(),
  }),
  { login: identifierField('Login', EMAIL_MAX), name: nameField('Name') },
);
export type ProcoreMe = z.output<typeof meSchema>;

/** `GET /rest/v1.0/companies` items (§1.5). */
export const companySchema = withStorableText(
  z.looseObject({
    id: procoreId,
    name: z.string(),
    is_active: z.boolean().nullish(),
    my_company: z.boolean().nullish(),
  }),
  { name: nameField('Company name') },
);
export type ProcoreCompany = z.output<typeof companySchema>;

/**
 * A company user, v1.3 list and show (§2.2). The sync engine reads exactly these fields to gate,
 * map and match workers (design.md "Matching and rules"), so they must be present with the
 * documented type; `null` is allowed everywhere Procore allows it, and the engine turns a null
 * it needs into a named skip reason rather than a crash. Its text is made storable
 * (storable.ts): what was changed is listed in `_sanitized`, read with `sanitizationWarnings`.
 */
export const companyUserSchema = withStorableText(
  z.looseObject({
    id: procoreId,
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    name: optionalText,
    email_address: z.string().nullable(),
    mobile_phone: z.string().nullable(),
    is_employee: z.boolean().nullable(),
    employee_id: z.string().nullable(),
    is_active: z.boolean().nullable(),
    work_classification_id: procoreId.nullable(),
    job_title: optionalText,
    origin_id: optionalText,
    updated_at: timestamp.nullable(),
  }),
  {
    first_name: nameField('First name'),
    last_name: nameField('Last name'),
    name: nameField('Name'),
    email_address: identifierField('Email address', EMAIL_MAX),
    mobile_phone: identifierField('Cell phone', PHONE_MAX),
    employee_id: identifierField('Employee ID'),
    job_title: nameField('Job title'),
    origin_id: identifierField('Origin ID'),
  },
);
export type ProcoreCompanyUser = z.output<typeof companyUserSchema>;

/** `GET /rest/v1.x/companies/{id}/me`: the caller's own company-user record (§1.5). */
export const companyMeSchema = withStorableText(
  z.looseObject({
    id: procoreId,
    name: optionalText,
    email_address: optionalText,
    is_employee: z.boolean().nullish(),
  }),
  { name: nameField('Name'), email_address: identifierField('Email address', EMAIL_MAX) },
);
export type ProcoreCompanyMe = z.output<typeof companyMeSchema>;

/** Company work classification (§3). */
export const workClassificationSchema = withStorableText(
  z.looseObject({
    id: procoreId,
    name: z.string(),
    abbreviation: optionalText,
  }),
  { name: nameField('Classification name'), abbreviation: nameField('Classification abbreviation') },
);
export type ProcoreWorkClassification = z.output<typeof workClassificationSchema>;

/** Project (`GET /rest/v1.0/projects?company_id=`): what a timesheet needs to name its project. */
export const projectSchema = withStorableText(
  z.looseObject({
    id: procoreId,
    name: z.string(),
    active: z.boolean().nullish(),
    project_number: optionalText,
  }),
  { name: nameField('Project name'), project_number: identifierField('Project number') },
);
export type ProcoreProject = z.output<typeof projectSchema>;

/**
 * A company person: a directory user or a reference user (no login, `user_id` null) (§4). Its
 * `id` is the `party_id` a timecard entry takes (§5.4).
 */
export const personSchema = withStorableText(
  z.looseObject({
    id: procoreId,
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    is_employee: z.boolean().nullable(),
    employee_id: z.string().nullable(),
    user_id: procoreId.nullable(),
    work_classification_id: procoreId.nullish(),
    origin_id: optionalText,
    job_title: optionalText,
    contact: withStorableText(z.looseObject({ is_active: z.boolean().nullish(), email: optionalText }), {
      email: identifierField('Email address', EMAIL_MAX),
    }).nullish(),
  }),
  {
    first_name: nameField('First name'),
    last_name: nameField('Last name'),
    employee_id: identifierField('Employee ID'),
    origin_id: identifierField('Origin ID'),
    job_title: nameField('Job title'),
  },
);
export type ProcorePerson = z.output<typeof personSchema>;
