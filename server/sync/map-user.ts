import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { mapInSlices } from '../event-loop';
import type { SyncUser } from './procore-user';
import { type Reason, reason, type Warning, warning } from './reasons';

/**
 * seed.md's field table: First Name, Last Name, Email and Cell Phone are required; Employee ID →
 * Payroll ID is recommended (synced without it, with a warning); Classification → Position is
 * handled by the caller (it depends on the company's Sync Classifications setting).
 */
export interface MappedWorker {
  firstName: string;
  lastName: string;
  /** Trimmed and lower-cased: emails match case-insensitively. */
  email: string;
  /** E.164, e.g. +13125550142. */
  phone: string;
  payrollId: string | null;
  classificationId: string | null;
}

export type MapResult =
  | { ok: true; worker: MappedWorker; warnings: Warning[] }
  | { ok: false; reasons: Reason[] };

// Deliberately simple: one @, something on each side, a dot in the domain, no spaces. Procore
// itself accepts the address; this only catches what a time clock could never use ("mike@").
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;

const DEFAULT_REGION: CountryCode = 'US';

function clean(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

/** ISO 3166 alpha-2 from Procore's `country_code` (§2.2), else US. */
export function regionOf(countryCode: unknown): CountryCode {
  if (typeof countryCode === 'string' && /^[A-Za-z]{2}$/.test(countryCode.trim())) {
    return countryCode.trim().toUpperCase() as CountryCode;
  }
  return DEFAULT_REGION;
}

/**
 * Phones read before, as typed → E.164 (or null). Parsing is the costliest step of deciding a
 * user and an hourly full run meets the same numbers again, so the answers are kept; at most
 * `PHONES_KEPT` of them (about 6 MB), started over when full.
 */
const PHONES_KEPT = 50_000;
const phonesRead = new Map<string, string | null>();

/** A phone as typed into Procore → E.164, or null when it is not a valid number for the region. */
export function toE164(raw: string, countryCode: unknown): string | null {
  const region = regionOf(countryCode);
  const key = `${region} ${raw}`;
  const known = phonesRead.get(key);
  if (known !== undefined) return known;
  let e164: string | null = null;
  try {
    const parsed = parsePhoneNumberFromString(raw, region);
    e164 = parsed?.isValid() ? parsed.number : null;
  } catch {
    e164 = null;
  }
  if (phonesRead.size >= PHONES_KEPT) phonesRead.clear();
  phonesRead.set(key, e164);
  return e164;
}

/**
 * Reads a page's phones into the cache above ahead of its turn: a run calls it for the next page
 * while the database works on the current one (on its own thread, pglite-thread.ts, or the
 * server), so the page's decisions later find every number read.
 */
export async function readPhonesAhead(users: readonly SyncUser[]): Promise<void> {
  await mapInSlices(users, (u) => {
    const raw = clean(u.mobile_phone);
    if (raw) toE164(raw, u.country_code);
  });
}

export function normalizeEmail(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  return EMAIL.test(v) ? v : null;
}

/** Every problem at once, in a fixed order, so an admin can fix a user in one visit. */
export function mapUser(user: SyncUser): MapResult {
  const reasons: Reason[] = [];
  const firstName = clean(user.first_name);
  const lastName = clean(user.last_name);
  if (!firstName) reasons.push(reason('missing_first_name'));
  if (!lastName) reasons.push(reason('missing_last_name'));

  const rawEmail = clean(user.email_address);
  const email = rawEmail ? normalizeEmail(rawEmail) : null;
  if (!rawEmail) reasons.push(reason('missing_email'));
  else if (!email) reasons.push(reason('invalid_email', { value: rawEmail }));

  const rawPhone = clean(user.mobile_phone);
  const phone = rawPhone ? toE164(rawPhone, user.country_code) : null;
  if (!rawPhone) reasons.push(reason('missing_cell_phone'));
  else if (!phone) reasons.push(reason('invalid_cell_phone', { value: rawPhone }));

  if (reasons.length > 0 || !firstName || !lastName || !email || !phone) return { ok: false, reasons };

  const payrollId = clean(user.employee_id);
  const warnings = payrollId ? [] : [warning('missing_employee_id')];
  return {
    ok: true,
    worker: {
      firstName,
      lastName,
      email,
      phone,
      payrollId,
      classificationId: user.work_classification_id ?? null,
    },
    warnings,
  };
}
