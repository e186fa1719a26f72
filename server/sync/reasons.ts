/**
 * The closed list of reasons a Procore user is not (or not fully) synced, each with the sentence a
 * construction admin reads in the User Sync Logs and the downloadable .txt (seed.md: "the error
 * reasons for the workers that could not be synced"; design.md "Matching and rules").
 * Adding a reason means adding it here: entries store the code, the text is rendered from it.
 */

export const SKIP_REASON_CODES = [
  'inactive',
  'not_employee',
  'missing_first_name',
  'missing_last_name',
  'missing_email',
  'invalid_email',
  'missing_cell_phone',
  'invalid_cell_phone',
  'phone_in_use',
  'ambiguous_match',
  'procore_error',
  'internal_error',
] as const;
export type SkipReasonCode = (typeof SKIP_REASON_CODES)[number];

/** Why a worker was deactivated (also stored on the worker as `deactivated_reason`). */
export const DEACTIVATION_REASON_CODES = ['inactive', 'not_employee', 'not_in_directory'] as const;
export type DeactivationReasonCode = (typeof DEACTIVATION_REASON_CODES)[number];

/**
 * Why the safeguard left a worker active that Procore would have deactivated, or took one off a
 * review (safeguard.ts).
 */
export const SAFEGUARD_REASON_CODES = ['held_for_review', 'deactivation_cancelled', 'active_again'] as const;
export type SafeguardReasonCode = (typeof SAFEGUARD_REASON_CODES)[number];

export const WARNING_CODES = ['missing_employee_id', 'unknown_classification', 'newer_state_kept'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export type ReasonCode = SkipReasonCode | DeactivationReasonCode | SafeguardReasonCode;

/** A reason with its rendered text; `code` is what filters and tests look at. */
export interface Reason {
  code: ReasonCode;
  text: string;
}

export interface Warning {
  code: WarningCode;
  text: string;
}

/** Facts a reason's sentence may quote. */
export interface ReasonFacts {
  companyName?: string;
  value?: string | null;
  workerName?: string;
  candidates?: string[];
  detail?: string;
  classificationId?: string;
  /** Who decided a review. */
  adminName?: string | null;
}

const quote = (v: string | null | undefined) => `"${v ?? ''}"`;

export function reasonText(code: ReasonCode, facts: ReasonFacts = {}): string {
  switch (code) {
    case 'inactive':
      return 'Inactive in Procore';
    case 'not_employee':
      return `Not marked as an employee of ${facts.companyName ?? 'the company'}`;
    case 'not_in_directory':
      return `No longer in the ${facts.companyName ?? 'company'} directory in Procore`;
    case 'missing_first_name':
      return 'Missing first name';
    case 'missing_last_name':
      return 'Missing last name';
    case 'missing_email':
      return 'Missing email';
    case 'invalid_email':
      return `Email address ${quote(facts.value)} is not valid`;
    case 'missing_cell_phone':
      return 'Missing cell phone';
    case 'invalid_cell_phone':
      return `Cell phone ${quote(facts.value)} is not a valid phone number`;
    case 'phone_in_use':
      return `Cell phone ${facts.value ?? ''} is already used by worker ${facts.workerName ?? 'another worker'}`;
    case 'ambiguous_match': {
      const names = facts.candidates ?? [];
      return `Matches ${names.length} existing workers by email or phone (${names.join(', ')}); nothing was merged`;
    }
    case 'procore_error':
      return `Procore could not be read for this user${facts.detail ? `: ${facts.detail}` : ''}`;
    case 'internal_error':
      return 'The app could not save this worker; it will be tried again on the next sync';
    case 'held_for_review':
      return "Deactivation held for an admin's review: stays active until it is confirmed";
    case 'deactivation_cancelled':
      return `${facts.adminName ?? 'An admin'} cancelled this deactivation in a review: stays active until the user changes in Procore`;
    case 'active_again':
      return 'Active again in Procore: no longer waiting for review';
  }
}

export function reason(code: ReasonCode, facts: ReasonFacts = {}): Reason {
  return { code, text: reasonText(code, facts) };
}

export function warningText(code: WarningCode, facts: ReasonFacts = {}): string {
  switch (code) {
    case 'missing_employee_id':
      return 'No Employee ID: synced without a Payroll ID';
    case 'unknown_classification':
      return `Classification ${facts.classificationId ?? ''} was not found in Procore: position left empty`;
    case 'newer_state_kept':
      return 'The worker already has a newer version of this user from Procore: kept it';
  }
}

export function warning(code: WarningCode, facts: ReasonFacts = {}): Warning {
  return { code, text: warningText(code, facts) };
}
