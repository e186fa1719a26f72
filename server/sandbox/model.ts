/**
 * The sandbox's in-memory records. Field names follow Procore's JSON (procore-api.md §2.2, §3, §4,
 * §5.3, §6.1) so serializers stay thin; timestamps are epoch milliseconds until serialized.
 */

/** A Procore login (global across companies: procore-api.md §2.2, "user id is globally unique"). */
export interface Login {
  id: number;
  email: string;
  name: string;
}

/** A tool access level as Procore names them (procore-api.md §2.5). */
export type AccessLevelName = 'None' | 'Read Only' | 'Standard' | 'Admin';

/** One granular permission a template adds on a tool below Admin (§2.5 `permitted_actions`). */
export interface PermittedAction {
  id: number;
  action_name: string;
  label: string;
}

/**
 * A permission template (§2.2 `{id, name, project_specific, type}`). What it grants is not on the
 * user record (§2.5): `tools` maps a tool key (permissions.ts) to its level (absent = None), and is
 * what the permission manifest reports. Company-tools templates hold company tools; global and
 * project templates hold project tools.
 */
export interface PermissionTemplate {
  id: number;
  name: string;
  project_specific: boolean;
  type: 'company_tools' | 'global' | 'project_specific';
  tools: Partial<Record<string, AccessLevelName>>;
  actions?: Partial<Record<string, PermittedAction[]>>;
}

export interface Vendor {
  id: number;
  name: string;
}

/** A company-user record: the directory entry of one login in one company (procore-api.md §2.2). */
export interface CompanyUser {
  id: number;
  companyId: number;
  personId: number;
  contact_id: number;
  first_name: string | null;
  last_name: string;
  initials: string | null;
  email_address: string | null;
  mobile_phone: string | null;
  business_phone: string | null;
  business_phone_extension: number | null;
  fax_number: string | null;
  address: string | null;
  city: string | null;
  zip: string | null;
  state_code: string | null;
  country_code: string | null;
  job_title: string | null;
  notes: string | null;
  avatar: string | null;
  email_signature: string | null;
  business_id: string | null;
  is_employee: boolean;
  is_active: boolean;
  employee_id: string | null;
  origin_id: string | null;
  origin_data: string | null;
  work_classification_id: number | null;
  vendor: Vendor | null;
  company_permission_template_id: number | null;
  default_permission_template_id: number | null;
  erp_integrated_accountant: boolean;
  is_insurance_manager: boolean;
  locale: string | null;
  role: string | null;
  verified_employee: boolean;
  /** True for the app's service-account (DMSA) directory user (procore-api.md §1.4). */
  isServiceAccount: boolean;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  welcome_email_sent_at: number | null;
  last_activated_at: number | null;
}

/** A company person: a user's person (user_id set) or a reference user (procore-api.md §4). */
export interface Person {
  id: number;
  companyId: number;
  /** Set for a login user's person; the person's fields are then read from the company user. */
  userId: number | null;
  first_name: string | null;
  last_name: string;
  is_employee: boolean;
  employee_id: string | null;
  active: boolean;
  origin_id: string | null;
  job_title: string | null;
  work_classification_id: number | null;
  email: string | null;
  created_at: number;
  updated_at: number;
}

export interface WorkClassification {
  id: number;
  companyId: number;
  name: string;
  abbreviation: string | null;
  created_by_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface Project {
  id: number;
  companyId: number;
  name: string;
  project_number: string;
  active: boolean;
  address: string;
  city: string;
  state_code: string;
  zip: string;
  created_at: number;
  updated_at: number;
  /** The project's Timecard tool; off → timecard writes on it answer 403 (procore-api.md §8). */
  timecards_enabled?: boolean;
  /** The project's cost codes (its budget's Work Breakdown Structure), in list order. */
  cost_codes: CostCode[];
}

/** A project cost code as `GET /rest/v1.0/cost_codes?project_id=` lists it. */
export interface CostCode {
  id: number;
  name: string;
  /** The code within its division, e.g. `100`. */
  code: string;
  /** Division and code, e.g. `03-100`. */
  full_code: string;
  /** The division's own cost code id; null for a division. */
  parentId: number | null;
  created_at: number;
  updated_at: number;
}

export interface TimeType {
  id: number;
  time_type: string;
  abbreviated_time_type: string;
  global: boolean;
}

/** A timecard entry (procore-api.md §5.3); `hours` kept as Procore's decimal string. */
export interface TimecardEntry {
  id: number;
  companyId: number;
  projectId: number;
  partyId: number;
  date: string;
  hours: string | null;
  time_in: string | null;
  time_out: string | null;
  lunch_time: string | null;
  approval_status: 'pending' | 'reviewed' | 'approved' | 'completed';
  billable: boolean;
  description: string | null;
  origin_id: number | null;
  origin_data: string | null;
  timecard_time_type_id: number | null;
  cost_code_id: number | null;
  work_classification_id: number | null;
  login_information_id: number | null;
  created_by_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookHook {
  id: string;
  companyId: number;
  namespace: string;
  payload_version: string;
  destination_url: string;
  authorization: string | null;
  status: 'active' | 'disabled';
  created_at: number;
  updated_at: number;
}

export interface WebhookTrigger {
  id: string;
  hookId: string;
  companyId: number;
  resource_name: string;
  event_type: string;
}

export interface DeliveryAttempt {
  id: string;
  started_at: number;
  completed_at: number | null;
  response_status: number | null;
  response_body: string;
  response_headers: Record<string, string>;
  error: string | null;
  success: boolean;
}

export type DeliveryStatus = 'enqueued' | 'retrying' | 'delivered' | 'failed' | 'discarded';

/** One queued/sent webhook event to one hook (procore-api.md §6.3). */
export interface Delivery {
  id: string;
  hookId: string;
  companyId: number;
  resource_name: string;
  resource_id: number;
  event_type: string;
  /** The body actually POSTed (shape depends on the hook's payload_version). */
  body: Record<string, unknown>;
  /** The v2.0-style event, which the v2 deliveries list shows (procore-api.md §10.9). */
  payloadV2: Record<string, unknown>;
  status: DeliveryStatus;
  /** A deliberate second copy (at-least-once delivery). */
  duplicate: boolean;
  attempts: DeliveryAttempt[];
  created_at: number;
  completed_at: number | null;
  next_attempt_at: number | null;
}

export interface Company {
  id: number;
  name: string;
  is_active: boolean;
  logo_url: string | null;
  /** Whether the app is installed (procore-api.md §1.4): gates every company-scoped call. */
  installed: boolean;
  serviceAccountUserId: number | null;
  users: Map<number, CompanyUser>;
  people: Map<number, Person>;
  classifications: Map<number, WorkClassification>;
  projects: Map<number, Project>;
  timecards: Map<number, TimecardEntry>;
  timeTypes: TimeType[];
  vendors: Vendor[];
  permissionTemplates: PermissionTemplate[];
  hooks: Map<string, WebhookHook>;
  triggers: Map<string, WebhookTrigger>;
  /** Bumped on every directory change; sorted-order caches are keyed by it. */
  version: number;
  sortCache: Map<string, { version: number; users: CompanyUser[] }>;
}

export type TokenKind = 'user' | 'service_account';

export interface AccessToken {
  token: string;
  kind: TokenKind;
  /** The login for user tokens; null for client-credentials tokens. */
  userId: number | null;
  clientId: string;
  createdAt: number;
  expiresAt: number;
  revoked: boolean;
  refreshToken: string | null;
}

export interface RefreshToken {
  token: string;
  userId: number;
  clientId: string;
  accessToken: string;
  /** Dead once presented (procore-api.md §1.3), or revoked. */
  used: boolean;
}

export interface AuthorizationCode {
  code: string;
  userId: number;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}
