import type { PermissionTemplate, TimeType } from './model';

/** Fixed facts of the demo data set (documented in server/sandbox/README.md). */
export const ACME_ID = 4_280_001;
export const SUMMIT_ID = 4_280_002;
export const LAKESHORE_ID = 4_280_003;
export const DEFAULT_SEED = 20_240_611;
export const EMPLOYEE_DOMAIN = 'acmebuilders.example';

/**
 * Procore-like permission templates. A company-tools template's level on the company Admin tool
 * decides who is a company admin (procore-api.md §2.5), whatever the template is called: "Office
 * Manager" is an admin template, "Admin Assistant" is not. Global templates grant project tools.
 */
export const COMPANY_ADMIN_TEMPLATE_ID = 5101;
export const COMPANY_STANDARD_TEMPLATE_ID = 5102;
export const FIELD_CREW_TEMPLATE_ID = 5103;
export const OFFICE_MANAGER_TEMPLATE_ID = 5104;
export const ADMIN_ASSISTANT_TEMPLATE_ID = 5105;

const companyTools = (tools: PermissionTemplate['tools'], actions?: PermissionTemplate['actions']) => ({
  project_specific: false,
  type: 'company_tools' as const,
  tools,
  ...(actions ? { actions } : {}),
});
const projectTools = (tools: PermissionTemplate['tools']) => ({
  project_specific: false,
  type: 'global' as const,
  tools,
});

export const PERMISSION_TEMPLATES: PermissionTemplate[] = [
  {
    id: COMPANY_ADMIN_TEMPLATE_ID,
    name: 'Company Admin',
    ...companyTools({
      admin: 'Admin',
      directory: 'Admin',
      documents: 'Admin',
      portfolio: 'Admin',
      reports: 'Admin',
      timecard: 'Admin',
      workforce_planning: 'Admin',
      erp_integrations: 'Admin',
    }),
  },
  {
    id: COMPANY_STANDARD_TEMPLATE_ID,
    name: 'Company Standard',
    ...companyTools({
      admin: 'Read Only',
      directory: 'Standard',
      documents: 'Standard',
      portfolio: 'Standard',
      reports: 'Standard',
      timecard: 'Standard',
      workforce_planning: 'Read Only',
    }),
  },
  {
    id: FIELD_CREW_TEMPLATE_ID,
    name: 'Field Crew',
    ...companyTools({ directory: 'Read Only', documents: 'Read Only', timecard: 'Read Only' }),
  },
  {
    id: OFFICE_MANAGER_TEMPLATE_ID,
    name: 'Office Manager',
    ...companyTools({
      admin: 'Admin',
      directory: 'Admin',
      documents: 'Standard',
      portfolio: 'Standard',
      reports: 'Standard',
      timecard: 'Admin',
      workforce_planning: 'Standard',
      erp_integrations: 'Read Only',
    }),
  },
  {
    id: ADMIN_ASSISTANT_TEMPLATE_ID,
    name: 'Admin Assistant',
    ...companyTools(
      {
        admin: 'Standard',
        directory: 'Standard',
        documents: 'Standard',
        portfolio: 'Read Only',
        reports: 'Read Only',
        timecard: 'Read Only',
      },
      { reports: [{ id: 9101, action_name: 'create_custom_reports', label: 'Create Custom Reports' }] },
    ),
  },
  {
    id: 5201,
    name: 'Project Manager',
    ...projectTools({
      admin: 'Admin',
      directory: 'Admin',
      documents: 'Admin',
      drawings: 'Admin',
      daily_log: 'Admin',
      timesheets: 'Admin',
    }),
  },
  {
    id: 5202,
    name: 'Superintendent',
    ...projectTools({
      admin: 'Read Only',
      directory: 'Standard',
      documents: 'Standard',
      drawings: 'Standard',
      daily_log: 'Admin',
      timesheets: 'Admin',
    }),
  },
  {
    id: 5203,
    name: 'Foreman',
    ...projectTools({
      directory: 'Read Only',
      documents: 'Read Only',
      drawings: 'Read Only',
      daily_log: 'Standard',
      timesheets: 'Standard',
    }),
  },
  {
    id: 5204,
    name: 'Subcontractor',
    ...projectTools({ documents: 'Read Only', drawings: 'Read Only', daily_log: 'Read Only' }),
  },
];

export const CLASSIFICATIONS: Array<[string, string]> = [
  ['Carpenter', 'CARP'],
  ['Electrician', 'ELEC'],
  ['Laborer', 'LAB'],
  ['Foreman', 'FMN'],
  ['Operator', 'OPR'],
  ['Plumber', 'PLMB'],
  ['Ironworker', 'IRON'],
  ['Cement Mason', 'CMSN'],
  ['Superintendent', 'SUPT'],
];

export const TIME_TYPES: TimeType[] = [
  { id: 1, time_type: 'Regular Time', abbreviated_time_type: 'RT', global: true },
  { id: 2, time_type: 'Overtime', abbreviated_time_type: 'OT', global: true },
  { id: 3, time_type: 'Double Time', abbreviated_time_type: 'DT', global: true },
  { id: 4, time_type: 'Vacation', abbreviated_time_type: 'VAC', global: true },
  { id: 5, time_type: 'Sick', abbreviated_time_type: 'SICK', global: true },
];

export const FIRST_NAMES = [
  'James',
  'Maria',
  'Robert',
  'Linda',
  'Michael',
  'Patricia',
  'David',
  'Jennifer',
  'Carlos',
  'Elizabeth',
  'Daniel',
  'Susan',
  'Jose',
  'Jessica',
  'Thomas',
  'Sarah',
  'Anthony',
  'Karen',
  'Mark',
  'Nancy',
  'Steven',
  'Lisa',
  'Paul',
  'Angela',
  'Andrew',
  'Brenda',
  'Joshua',
  'Amanda',
  'Kevin',
  'Melissa',
  'Brian',
  'Deborah',
  'Miguel',
  'Stephanie',
  'Tyrone',
  'Rebecca',
  'Jason',
  'Laura',
  'Ryan',
  'Sharon',
  'Juan',
  'Cynthia',
  'Eric',
  'Kathleen',
  'Hector',
  'Amy',
  'Dmitri',
  'Shirley',
  'Wei',
  'Olga',
  'Darnell',
  'Rosa',
  'Tomasz',
  'Aisha',
  'Francisco',
  'Keisha',
  'Sean',
  'Ngoc',
  'Ricardo',
  'Erin',
];

export const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Kowalski',
  'Novak',
  'Murphy',
  "O'Brien",
  'Dubois',
  'Okafor',
  'Sullivan',
  'Petrov',
  'Castillo',
  'Nowak',
  'Fitzgerald',
];

export const JOB_TITLES: Record<string, string> = {
  Carpenter: 'Journeyman Carpenter',
  Electrician: 'Journeyman Electrician',
  Laborer: 'Construction Laborer',
  Foreman: 'Field Foreman',
  Operator: 'Equipment Operator',
  Plumber: 'Journeyman Plumber',
  Ironworker: 'Ironworker',
  'Cement Mason': 'Cement Mason',
  Superintendent: 'Superintendent',
};

export const AREA_CODES = ['312', '773', '630', '847', '708', '815', '224', '331', '872', '779'];

/** US numbers in the formats people actually type into Procore. */
export function formatPhone(area: string, exchange: number, line: number, style: number): string {
  const x = String(exchange);
  const l = String(line).padStart(4, '0');
  switch (style % 5) {
    case 0:
      return `(${area}) ${x}-${l}`;
    case 1:
      return `${area}.${x}.${l}`;
    case 2:
      return `+1 ${area} ${x} ${l}`;
    case 3:
      return `${area}-${x}-${l}`;
    default:
      return `${area}${x}${l}`;
  }
}

export const ACME_PROJECTS = [
  ['Riverside Medical Office Building', 'ACM-2301', 'Chicago'],
  ['Lakeview Apartments Phase 2', 'ACM-2302', 'Chicago'],
  ['Kingsbury Street Parking Garage', 'ACM-2307', 'Chicago'],
  ['Northbrook Elementary Addition', 'ACM-2311', 'Northbrook'],
  ["O'Hare Cargo Terminal Renovation", 'ACM-2204', 'Chicago'],
] as const;

/**
 * Every project's cost codes: a few CSI divisions with the codes a general contractor books
 * labour to (Procore's default cost code list follows the CSI MasterFormat divisions).
 */
export const COST_CODES: ReadonlyArray<{ division: [string, string]; codes: Array<[string, string]> }> = [
  {
    division: ['01', 'General Requirements'],
    codes: [
      ['100', 'General Conditions Labor'],
      ['500', 'Temporary Facilities'],
    ],
  },
  {
    division: ['03', 'Concrete'],
    codes: [
      ['100', 'Concrete Forming'],
      ['300', 'Cast-in-Place Concrete'],
    ],
  },
  { division: ['06', 'Wood, Plastics, and Composites'], codes: [['100', 'Rough Carpentry']] },
  {
    division: ['09', 'Finishes'],
    codes: [
      ['200', 'Plaster and Gypsum Board'],
      ['900', 'Painting'],
    ],
  },
];
