import type { Company, CompanyUser, Vendor } from './model';
import {
  ADMIN_ASSISTANT_TEMPLATE_ID,
  COMPANY_STANDARD_TEMPLATE_ID,
  EMPLOYEE_DOMAIN,
  FIELD_CREW_TEMPLATE_ID,
  OFFICE_MANAGER_TEMPLATE_ID,
} from './seed-data';
import type { Generator } from './seed-generator';

/** The hand-made Acme roster: ~250 people, with every case the sync has to handle. */
export function seedAcmeRoster(
  gen: Generator,
  acme: Company,
  own: Vendor,
  drywall: Vendor,
  classes: Map<string, number>,
): void {
  const worker = (first: string, last: string, extra: Partial<CompanyUser>) =>
    gen.user(acme, {
      first_name: first,
      last_name: last,
      email_address: `${first.toLowerCase()}.${last.toLowerCase()}@${EMPLOYEE_DOMAIN}`,
      mobile_phone: gen.phone(),
      employee_id: gen.employeeId(),
      is_employee: true,
      vendor: own,
      work_classification_id: classes.get('Laborer') ?? null,
      job_title: 'Construction Laborer',
      company_permission_template_id: FIELD_CREW_TEMPLATE_ID,
      default_permission_template_id: 5203,
      ...extra,
    });
  worker('Luis', 'Ortega', {
    job_title: 'Field Foreman',
    work_classification_id: classes.get('Foreman') ?? null,
    company_permission_template_id: COMPANY_STANDARD_TEMPLATE_ID,
  });
  worker('Mike', 'Brennan', {
    email_address: 'mike@',
    work_classification_id: classes.get('Carpenter') ?? null,
  });
  worker('Tanya', 'Roberts', {
    mobile_phone: '555-12',
    work_classification_id: classes.get('Electrician') ?? null,
  });
  worker('Greg', 'Hollis', { mobile_phone: null, business_phone: '(312) 555-0000' });
  worker('Priya', 'Natarajan', {
    email_address: null,
    work_classification_id: classes.get('Plumber') ?? null,
  });
  worker('Jamal', 'Carter', {
    mobile_phone: '(779) 555-0177',
    work_classification_id: classes.get('Operator') ?? null,
  });
  worker('Jerome', 'Carter', {
    mobile_phone: '779.555.0177',
    work_classification_id: classes.get('Operator') ?? null,
  });
  worker('Ken', 'Yamamoto', { employee_id: null, work_classification_id: classes.get('Ironworker') ?? null });
  worker('Ramirez', 'Ramirez', { first_name: null, email_address: `ramirez@${EMPLOYEE_DOMAIN}` });
  for (const [first, last] of [
    ['Colin', 'Walsh'],
    ['Vanessa', 'Ruiz'],
    ['Dwayne', 'Ellis'],
    ['Marek', 'Zielinski'],
    ['Hannah', 'Brooks'],
    ['Pete', 'Lindqvist'],
  ] as const) {
    // A subcontractor's people: in Acme's directory, but not Acme employees.
    worker(first, last, {
      email_address: `${first.toLowerCase()}@ridgelinedrywall.example`,
      is_employee: false,
      employee_id: null,
      vendor: drywall,
      work_classification_id: null,
      job_title: 'Drywall Finisher',
      default_permission_template_id: 5204,
    });
  }
  for (const [first, last] of [
    ['Gary', 'Pruitt'],
    ['Lena', 'Fischer'],
    ['Omar', 'Haddad'],
    ['Bill', 'Stavros'],
    ['Ines', 'Moreau'],
    ['Troy', 'Mancini'],
  ] as const) {
    worker(first, last, { is_active: false, work_classification_id: classes.get('Carpenter') ?? null });
  }
  // The rest are ordinary employees; a few lack a classification, which is normal in Procore.
  const target = 250 - 1; // the service-account user joins at install
  let i = 0;
  while (acme.users.size < target) gen.employee(acme, own, classes, i++);
}

/**
 * Two Acme office staff whose template names mislead (procore-api.md §2.5: a company names its
 * templates, and admin rights are the Admin tool's level): Bernadette Quinlan's "Office Manager"
 * template has Admin on the Admin tool; Theo Marchetti's "Admin Assistant" has only Standard there.
 * Added after everything else is generated, so the rest of the seed stays as it was.
 */
export function seedAcmeOffice(gen: Generator, acme: Company, own: Vendor): CompanyUser[] {
  const office = (first: string, last: string, extra: Partial<CompanyUser>) =>
    gen.user(acme, {
      first_name: first,
      last_name: last,
      email_address: `${first.toLowerCase()}.${last.toLowerCase()}@${EMPLOYEE_DOMAIN}`,
      mobile_phone: gen.phone(),
      employee_id: gen.employeeId(),
      is_employee: true,
      vendor: own,
      work_classification_id: null,
      city: 'Chicago',
      state_code: 'IL',
      country_code: 'US',
      ...extra,
    });
  return [
    office('Bernadette', 'Quinlan', {
      job_title: 'Office Manager',
      company_permission_template_id: OFFICE_MANAGER_TEMPLATE_ID,
      default_permission_template_id: 5201,
    }),
    office('Theo', 'Marchetti', {
      job_title: 'Administrative Assistant',
      company_permission_template_id: ADMIN_ASSISTANT_TEMPLATE_ID,
      default_permission_template_id: null,
    }),
  ];
}
