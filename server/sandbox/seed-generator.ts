import { blankUser, personForUser } from './directory.service';
import type { Company, CompanyUser, Vendor } from './model';
import type { Rng } from './prng';
import {
  AREA_CODES,
  EMPLOYEE_DOMAIN,
  FIELD_CREW_TEMPLATE_ID,
  FIRST_NAMES,
  formatPhone,
  JOB_TITLES,
  LAST_NAMES,
} from './seed-data';
import type { SandboxState } from './state';

const DAY = 86_400_000;

/** Makes users with plausible, unique names, emails, phones and employee ids. */
export class Generator {
  private phoneSeq = 0;
  private employeeSeq = 10_100;
  private emails = new Set<string>();

  constructor(
    private readonly state: SandboxState,
    private readonly rng: Rng,
    private readonly now: number,
  ) {}

  /** A phone number no other generated user has (the one deliberate pair is made by hand). */
  phone(): string {
    const n = this.phoneSeq++;
    const fictional = 100 * (AREA_CODES.length - 1);
    if (n < fictional) {
      // 555-0100…0199 are the fictional numbers; area code 779 is kept for the deliberate pair.
      return formatPhone(AREA_CODES[Math.floor(n / 100)] ?? '312', 555, 100 + (n % 100), n);
    }
    const m = n - fictional;
    const area = AREA_CODES[m % AREA_CODES.length] ?? '312';
    return formatPhone(area, 201 + Math.floor(m / 100_000), Math.floor(m / AREA_CODES.length) % 10_000, n);
  }

  employeeId(): string {
    return String(this.employeeSeq++);
  }

  user(company: Company, fields: Partial<CompanyUser>, loginId?: number): CompanyUser {
    const id = loginId ?? this.state.next('user');
    const created = this.now - this.rng.int(30, 1500) * DAY;
    const user = blankUser(id, company.id, this.state.next('person'), this.state.next('contact'), created);
    Object.assign(user, fields);
    user.initials = `${user.first_name?.[0] ?? ''}${user.last_name[0] ?? ''}`.toUpperCase() || null;
    // Spread edits between creation and an hour ago, so `filters[updated_at]` ranges select subsets.
    user.updated_at = created + Math.floor(this.rng.next() * (this.now - 3_600_000 - created));
    user.last_login_at = user.is_active ? user.updated_at - this.rng.int(0, 20) * DAY : null;
    user.last_activated_at = created;
    company.users.set(id, user);
    company.people.set(user.personId, personForUser(user));
    if (!this.state.logins.has(id)) {
      const email = user.email_address ?? `user${id}@sandbox.invalid`;
      this.state.logins.set(id, {
        id,
        email,
        name: [user.first_name, user.last_name].filter(Boolean).join(' '),
      });
    }
    return user;
  }

  /** An ordinary employee; about one in twelve has no classification, one in forty no cell phone. */
  employee(
    company: Company,
    vendor: Vendor | null,
    classes: Map<string, number>,
    i: number,
    domain = EMPLOYEE_DOMAIN,
  ) {
    const first = this.rng.pick(FIRST_NAMES);
    const last = this.rng.pick(LAST_NAMES);
    let local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    if (this.emails.has(`${local}@${domain}`)) local = `${local}${i}`;
    this.emails.add(`${local}@${domain}`);
    const className = this.rng.pick([...classes.keys()]);
    const classified = !this.rng.chance(1 / 12);
    return this.user(company, {
      first_name: first,
      last_name: last,
      email_address: `${local}@${domain}`,
      mobile_phone: this.rng.chance(1 / 40) ? null : this.phone(),
      employee_id: this.employeeId(),
      is_employee: true,
      vendor,
      work_classification_id: classified ? (classes.get(className) ?? null) : null,
      job_title: classified ? (JOB_TITLES[className] ?? className) : 'Apprentice',
      company_permission_template_id: FIELD_CREW_TEMPLATE_ID,
      default_permission_template_id: 5203,
      city: 'Chicago',
      state_code: 'IL',
      country_code: 'US',
    });
  }
}
