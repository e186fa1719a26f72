import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CompaniesService } from '../companies/companies.service';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { createLocalWorker, findWorkerByPayrollId } from '../workers/workers.service';
import { createTimesheet } from './timesheets.service';

/**
 * Sandbox mode only: a connected company gets a small crew of local workers (people who are no
 * Procore user, e.g. a subcontractor's) and their current week on two projects, so a first look
 * at the Timesheets page shows a working grid rather than an empty one. These rows live in the
 * app's database (the Procore simulator knows nothing of them) and are made once per company:
 * the first seeded worker's payroll ID marks that it was done, even after the crew is edited.
 */

export interface SandboxSeedDeps {
  db: Kysely<Database>;
  config: Pick<Config, 'sandbox'>;
  companies: Pick<CompaniesService, 'procoreFor'>;
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
}

interface Project {
  id: string;
  name: string;
}

const CREW = [
  { firstName: 'Marisol', lastName: 'Vega', payrollId: 'SBX-101', phone: '+12195550101' },
  { firstName: 'Darnell', lastName: 'Brooks', payrollId: 'SBX-102', phone: '+12195550102' },
  { firstName: 'Ivan', lastName: 'Petrov', payrollId: 'SBX-103', phone: '+12195550103' },
  { firstName: 'Aisha', lastName: 'Okafor', payrollId: 'SBX-104', phone: '+12195550104' },
] as const;
const MARKER = CREW[0].payrollId;

const DAY = 86_400_000;

/** Monday to Friday of the week holding `now`, in UTC as the grid shows weeks. */
function workWeek(now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
  return Array.from({ length: 5 }, (_, i) => new Date(monday + i * DAY).toISOString().slice(0, 10));
}

/** Companies already looked at by this process: later calls cost no query. */
const done = new Set<string>();

/**
 * Seeds the company's sandbox crew and week if it never had them; true when it did so now.
 * `projects` may be passed by a caller that has just read them (the Timesheets page's list);
 * otherwise they are read from Procore. Never throws: a demo nicety must not break a sign-in.
 */
export async function seedSandboxWeek(
  deps: SandboxSeedDeps,
  companyId: string,
  projects?: readonly Project[],
  now = new Date(),
): Promise<boolean> {
  if (!deps.config.sandbox || done.has(companyId)) return false;
  try {
    if (await findWorkerByPayrollId(deps.db, companyId, MARKER)) {
      done.add(companyId);
      return false;
    }
    const [first, second] = projects ?? (await activeProjects(deps, companyId));
    if (!first) return false;
    const other = second ?? first;
    const workers = [];
    for (const c of CREW) {
      workers.push(await createLocalWorker(deps.db, companyId, { ...c, email: null, positionId: null }));
    }
    done.add(companyId);
    const [vega, brooks, petrov, okafor] = workers as [
      (typeof workers)[number],
      (typeof workers)[number],
      (typeof workers)[number],
      (typeof workers)[number],
    ];
    const days = workWeek(now);
    const add = (workerId: string, projectId: string, date: string, t: object) =>
      createTimesheet(deps.db, companyId, { workerId, projectId, date, ...t });
    for (const [i, date] of days.entries()) {
      // A foreman's week: clocked shifts, plain hours, some already approved.
      const approval = i < 3 ? 'approved' : 'pending';
      await add(vega.id, first.id, date, { timeIn: '07:00', timeOut: '15:30', breakMinutes: 30, approval });
      await add(brooks.id, first.id, date, { hours: i === 4 ? 6 : 8, approval });
      if (i < 4) {
        await add(petrov.id, other.id, date, {
          hours: 10,
          notes: i === 0 ? 'Pour day' : null,
          approval: i < 2 ? 'approved' : 'pending',
        });
      }
      await add(okafor.id, i < 2 ? first.id : other.id, date, {
        timeIn: '06:30',
        timeOut: '15:00',
        breakMinutes: 30,
      });
    }
    deps.log.info({ companyId, projects: [first.id, other.id] }, 'sandbox crew and week seeded');
    return true;
  } catch (err) {
    deps.log.warn({ err, companyId }, 'could not seed the sandbox crew and week');
    return false;
  }
}

async function activeProjects(deps: SandboxSeedDeps, companyId: string): Promise<Project[]> {
  const procore = await deps.companies.procoreFor(companyId);
  const out: Project[] = [];
  for await (const p of procore.listProjects()) if (p.active !== false) out.push({ id: p.id, name: p.name });
  return out.sort((a, b) => a.name.localeCompare(b.name)).slice(0, 2);
}
