import type { Company, CompanyUser, CostCode, Vendor } from './model';
import { createRng } from './prng';
import {
  ACME_ID,
  ACME_PROJECTS,
  CLASSIFICATIONS,
  COMPANY_ADMIN_TEMPLATE_ID,
  COST_CODES,
  DEFAULT_SEED,
  EMPLOYEE_DOMAIN,
  LAKESHORE_ID,
  PERMISSION_TEMPLATES,
  SUMMIT_ID,
  TIME_TYPES,
} from './seed-data';
import { Generator } from './seed-generator';
import { seedAcmeOffice, seedAcmeRoster } from './seed-roster';
import { installServiceAccount } from './service-account';
import type { SandboxState } from './state';

export interface SeedOptions {
  /** PRNG seed; the same seed always yields the same data. */
  seed?: number;
  /**
   * Generated mode: the main company gets this many generated users (plus its admin and the
   * app's service-account user) instead of the hand-made ~250-person roster.
   */
  users?: number;
}

const DAY = 86_400_000;

/** Replaces all directory data with the demo companies (README: "Seed data"). */
export function seedSandbox(state: SandboxState, options: SeedOptions = {}): void {
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  const now = state.now();
  const acme = newCompany(state, ACME_ID, 'Acme Builders', now);
  const summit = newCompany(state, SUMMIT_ID, 'Summit Electric', now);
  const lakeshore = newCompany(state, LAKESHORE_ID, 'Lakeshore Concrete', now);
  const ownVendor: Vendor = { id: 7_700_001, name: 'Acme Builders' };
  const drywall: Vendor = { id: 7_700_002, name: 'Ridgeline Drywall LLC' };
  acme.vendors.push(ownVendor, drywall, { id: 7_700_003, name: 'Bright Spark Electric Co.' });
  summit.vendors.push({ id: 7_700_101, name: 'Summit Electric' });
  lakeshore.vendors.push({ id: 7_700_201, name: 'Lakeshore Concrete' });

  for (const c of [acme, summit, lakeshore]) {
    for (const [name, abbreviation] of c === acme ? CLASSIFICATIONS : CLASSIFICATIONS.slice(0, 4)) {
      const id = state.next('classification');
      c.classifications.set(id, {
        id,
        companyId: c.id,
        name,
        abbreviation,
        created_by_id: null,
        created_at: now - 900 * DAY,
        updated_at: now - 900 * DAY,
      });
    }
  }
  for (const [name, number, city] of ACME_PROJECTS) addProject(state, acme, name, number, city, now);
  addProject(state, summit, 'Riverside Medical Office Building – Electrical', 'SE-118', 'Chicago', now);
  addProject(state, summit, 'Fulton Market Lofts', 'SE-121', 'Chicago', now);
  addProject(state, lakeshore, 'Kingsbury Street Parking Garage – Decks', 'LC-044', 'Chicago', now);
  const inactiveProject = [...acme.projects.values()].at(-1);
  if (inactiveProject) inactiveProject.active = false;

  const classIds = (c: Company) => new Map([...c.classifications.values()].map((k) => [k.name, k.id]));
  const acmeClasses = classIds(acme);
  const gen = new Generator(state, rng, now);

  // The admin and the non-admin a person signs in as on the authorize page (README).
  const dana = gen.user(acme, {
    first_name: 'Dana',
    last_name: 'Whitfield',
    email_address: `dana.whitfield@${EMPLOYEE_DOMAIN}`,
    mobile_phone: gen.phone(),
    job_title: 'Operations Manager',
    employee_id: '10001',
    is_employee: true,
    vendor: ownVendor,
    company_permission_template_id: COMPANY_ADMIN_TEMPLATE_ID,
    default_permission_template_id: 5201,
  });
  for (const c of [summit, lakeshore]) {
    gen.user(
      c,
      {
        ...pick(dana),
        vendor: null,
        is_employee: false,
        employee_id: null,
        company_permission_template_id: COMPANY_ADMIN_TEMPLATE_ID,
      },
      dana.id,
    );
  }

  if (options.users !== undefined) {
    for (let i = 0; i < options.users; i++) gen.employee(acme, ownVendor, acmeClasses, i);
  } else {
    seedAcmeRoster(gen, acme, ownVendor, drywall, acmeClasses);
  }
  const summitClasses = classIds(summit);
  gen.user(summit, {
    first_name: 'Rachel',
    last_name: 'Kim',
    email_address: 'rachel.kim@summitelectric.example',
    mobile_phone: gen.phone(),
    job_title: 'Office Manager',
    employee_id: 'S-001',
    is_employee: true,
    vendor: summit.vendors[0] ?? null,
    company_permission_template_id: COMPANY_ADMIN_TEMPLATE_ID,
  });
  for (let i = 0; i < 30; i++)
    gen.employee(summit, summit.vendors[0] ?? null, summitClasses, 9000 + i, 'summitelectric.example');
  for (let i = 0; i < 8; i++)
    gen.employee(
      lakeshore,
      lakeshore.vendors[0] ?? null,
      classIds(lakeshore),
      9500 + i,
      'lakeshoreconcrete.example',
    );

  // The app is installed in Acme and Summit (each gets its service-account user); not in Lakeshore.
  installServiceAccount(state, acme, rng);
  installServiceAccount(state, summit, rng);

  // Last, so the random draws above (and every id they produced) are the same as before.
  if (options.users === undefined) seedAcmeOffice(gen, acme, ownVendor);
}

function pick(u: CompanyUser): Partial<CompanyUser> {
  return {
    first_name: u.first_name,
    last_name: u.last_name,
    email_address: u.email_address,
    mobile_phone: u.mobile_phone,
    job_title: u.job_title,
  };
}

function newCompany(state: SandboxState, id: number, name: string, now: number): Company {
  const company: Company = {
    id,
    name,
    is_active: true,
    logo_url: null,
    installed: false,
    serviceAccountUserId: null,
    users: new Map(),
    people: new Map(),
    classifications: new Map(),
    projects: new Map(),
    timecards: new Map(),
    timeTypes: TIME_TYPES.map((t) => ({ ...t })),
    vendors: [],
    permissionTemplates: PERMISSION_TEMPLATES.map((t) => structuredClone(t)),
    hooks: new Map(),
    triggers: new Map(),
    version: 0,
    sortCache: new Map(),
  };
  void now;
  state.companies.set(id, company);
  return company;
}

export { newCompany };

function addProject(
  state: SandboxState,
  c: Company,
  name: string,
  number: string,
  city: string,
  now: number,
) {
  const id = state.next('project');
  c.projects.set(id, {
    id,
    companyId: c.id,
    name,
    project_number: number,
    active: true,
    address: `${100 + (id % 900)} W ${['Lake', 'Kinzie', 'Fulton', 'Madison'][id % 4]} St`,
    city,
    state_code: 'IL',
    zip: '60607',
    created_at: now - 400 * DAY,
    updated_at: now - 30 * DAY,
    cost_codes: projectCostCodes(state, now - 400 * DAY),
  });
}

function projectCostCodes(state: SandboxState, at: number): CostCode[] {
  const out: CostCode[] = [];
  for (const { division, codes } of COST_CODES) {
    const [divisionCode, divisionName] = division;
    const parent: CostCode = {
      id: state.next('costCode'),
      name: divisionName,
      code: divisionCode,
      full_code: divisionCode,
      parentId: null,
      created_at: at,
      updated_at: at,
    };
    out.push(parent);
    for (const [code, name] of codes) {
      out.push({
        id: state.next('costCode'),
        name,
        code,
        full_code: `${divisionCode}-${code}`,
        parentId: parent.id,
        created_at: at,
        updated_at: at,
      });
    }
  }
  return out;
}
