import type { FaultRule } from './fault-rule';
import type {
  AccessToken,
  AuthorizationCode,
  Company,
  CompanyUser,
  Delivery,
  Login,
  RefreshToken,
  TokenKind,
} from './model';
import { defaultSettings, type SandboxSettings } from './settings';

/** One request the sandbox answered, so tests can count Procore calls. */
export interface RequestRecord {
  id: number;
  at: string;
  method: string;
  path: string;
  query: string;
  status: number;
  token_kind: TokenKind | null;
  user_id: number | null;
  company_id: number | null;
  duration_ms: number;
  fault: string | null;
}

export interface RateWindow {
  count: number;
  resetAt: number;
}

/** Where ids start (Procore ids are large integers; projects and timecards exceed 32 bits, §1.1). */
export interface IdCounters {
  user: number;
  person: number;
  contact: number;
  classification: number;
  project: number;
  costCode: number;
  timecard: number;
  hook: number;
  trigger: number;
  delivery: number;
  event: number;
  attempt: number;
  company: number;
}

export function initialCounters(): IdCounters {
  return {
    user: 8_150_001,
    person: 31_000_001,
    contact: 64_000_001,
    classification: 2_801,
    project: 562_949_953_425_001,
    costCode: 153_428_001,
    timecard: 1_125_899_906_900_001,
    hook: 740_001,
    trigger: 990_001,
    delivery: 5_000_001,
    event: 77_000_000_001,
    attempt: 1,
    company: 4_280_101,
  };
}

const REQUEST_LOG_LIMIT = 20_000;
const DELIVERY_LOG_LIMIT = 20_000;

/** All of the sandbox's state, in memory. `reset` replaces it wholesale (see seed.ts). */
export class SandboxState {
  settings: SandboxSettings = defaultSettings();
  companies = new Map<number, Company>();
  logins = new Map<number, Login>();
  accessTokens = new Map<string, AccessToken>();
  refreshTokens = new Map<string, RefreshToken>();
  codes = new Map<string, AuthorizationCode>();
  rateWindows = new Map<string, { hourly: RateWindow; spike: RateWindow }>();
  faults: FaultRule[] = [];
  requests: RequestRecord[] = [];
  deliveries: Delivery[] = [];
  ids: IdCounters = initialCounters();
  /** Shifts the sandbox's clock (token and code expiry, rate windows) without waiting. */
  clockOffsetMs = 0;
  private requestSeq = 0;

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  next(kind: keyof IdCounters): number {
    const id = this.ids[kind];
    this.ids[kind] = id + 1;
    return id;
  }

  company(id: number): Company | undefined {
    return this.companies.get(id);
  }

  /** Marks a company's directory changed: sorted-order caches rebuild on next read. */
  touch(company: Company): void {
    company.version++;
  }

  /** Companies a login belongs to (as an active or inactive company user). */
  companiesOf(userId: number): Company[] {
    return [...this.companies.values()].filter((c) => c.users.has(userId));
  }

  /**
   * The company's users matching `active`, in the given order. Sorting 50,000 users per request
   * would blow the 10 ms budget, so each order is cached until the directory changes.
   */
  sortedUsers(company: Company, active: boolean, sort: string): CompanyUser[] {
    const key = `${active}:${sort}`;
    const cached = company.sortCache.get(key);
    if (cached && cached.version === company.version) return cached.users;
    const users = [...company.users.values()].filter((u) => u.is_active === active);
    const desc = sort.startsWith('-');
    const field = desc ? sort.slice(1) : sort;
    const keyOf = sortKey(field);
    const decorated = users.map((u) => ({ u, k: keyOf(u) }));
    decorated.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.u.id - b.u.id));
    if (desc) decorated.reverse();
    const sorted = decorated.map((d) => d.u);
    company.sortCache.set(key, { version: company.version, users: sorted });
    return sorted;
  }

  logRequest(record: Omit<RequestRecord, 'id'>): void {
    this.requests.push({ id: ++this.requestSeq, ...record });
    if (this.requests.length > REQUEST_LOG_LIMIT)
      this.requests.splice(0, this.requests.length - REQUEST_LOG_LIMIT);
  }

  addDelivery(delivery: Delivery): void {
    this.deliveries.push(delivery);
    if (this.deliveries.length > DELIVERY_LOG_LIMIT) {
      this.deliveries.splice(0, this.deliveries.length - DELIVERY_LOG_LIMIT);
    }
  }
}

/** Sort keys for `sort` on company-user lists (procore-api.md §2.3); default is by id. */
function sortKey(field: string): (u: CompanyUser) => string | number {
  const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();
  switch (field) {
    case 'name':
      return (u) => `${lower(u.last_name)}\u0000${lower(u.first_name)}`;
    case 'full_name':
      return (u) => `${lower(u.first_name)}\u0000${lower(u.last_name)}`;
    case 'email':
      return (u) => lower(u.email_address);
    case 'job_title':
      return (u) => lower(u.job_title);
    case 'vendor_name':
      return (u) => lower(u.vendor?.name);
    case 'permission_template':
      return (u) => u.company_permission_template_id ?? 0;
    default:
      return (u) => u.id;
  }
}

export const USER_SORTS = [
  'id',
  'name',
  'full_name',
  'email',
  'job_title',
  'vendor_name',
  'permission_template',
  'projects',
] as const;
