import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { companyCaller, guard } from './auth';
import { sendV1 } from './errors';
import { isoSeconds } from './ids';
import type { Company, Project, TimecardEntry } from './model';
import { pageRequest, paginate } from './pagination';
import { parseRange, queryIntList, queryString } from './query';
import type { SandboxState } from './state';
import { checkEntry, type EntryInput, entryInput } from './timecard-rules';

/**
 * Timecards (procore-api.md §5): company timecard entries (create 201, update, list, show), the
 * company bulk create `POST /companies/{id}/timesheets` (200 with an array) and time types.
 * What Procore would refuse is a 422 in the v1 error body (§8, §10.5).
 */
export function registerTimecardRoutes(app: FastifyInstance, state: SandboxState): void {
  const opts = { preHandler: guard(state, 'company') };
  const base = '/rest/v1.0/companies/:company_id/timecard_entries';

  app.get(base, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const q = request.query;
    const parties = queryIntList(q, 'filters[party_id]');
    const ids = queryIntList(q, 'filters[id]');
    if (parties === 'invalid' || ids === 'invalid')
      return sendV1(reply, 400, 'filters must be integers', 'invalid_params');
    const start = queryString(q, 'start_date');
    const end = queryString(q, 'end_date');
    const updated = queryString(q, 'filters[updated_at]');
    const range = updated ? parseRange(updated) : undefined;
    if (range === 'invalid')
      return sendV1(reply, 400, 'filters[updated_at] is not a range', 'invalid_params');
    const entries = [...company.timecards.values()].filter(
      (e) =>
        (parties.length === 0 || parties.includes(e.partyId)) &&
        (ids.length === 0 || ids.includes(e.id)) &&
        (!start || e.date >= start) &&
        (!end || e.date <= end) &&
        (!range || (e.updated_at >= range.from && e.updated_at <= range.to)),
    );
    const page = pageRequest(q, state.settings.defaultPerPage, state.settings.maxPerPage);
    return paginate(request, reply, entries, page).map((e) => entryView(state, company, e));
  });

  app.get(`${base}/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const entry = find(company, request);
    return entry ? entryView(state, company, entry) : sendV1(reply, 404, 'Not Found', 'not_found');
  });

  const createBody = z.object({ project_id: z.coerce.number().int().optional(), timecard_entry: entryInput });
  app.post(base, opts, async (request, reply) => {
    const ctx = companyCaller(request);
    const parsed = createBody.safeParse(request.body);
    if (!parsed.success)
      return unprocessable(
        reply,
        parsed.error.issues[0]?.path.join('.') ?? 'timecard_entry',
        parsed.error.issues[0]?.message ?? 'is invalid',
      );
    const input: EntryInput = {
      ...parsed.data.timecard_entry,
      project_id: parsed.data.project_id ?? parsed.data.timecard_entry.project_id,
    };
    if (toolOff(ctx.company, input.project_id)) return timecardToolOff(reply);
    const problem = checkEntry(ctx.company, input, null);
    if (problem) return unprocessable(reply, problem.field, problem.message);
    const entry = createEntry(state, ctx.company, input, ctx.actor?.id ?? null);
    return reply.code(201).send(entryView(state, ctx.company, entry));
  });

  const patchBody = z.object({ timecard_entry: entryInput.partial() });
  app.patch(`${base}/:id`, opts, async (request, reply) => {
    const { company } = companyCaller(request);
    const entry = find(company, request);
    if (!entry) return sendV1(reply, 404, 'Not Found', 'not_found');
    const parsed = patchBody.safeParse(request.body);
    if (!parsed.success)
      return unprocessable(
        reply,
        parsed.error.issues[0]?.path.join('.') ?? 'timecard_entry',
        parsed.error.issues[0]?.message ?? 'is invalid',
      );
    if (toolOff(company, parsed.data.timecard_entry.project_id ?? entry.projectId))
      return timecardToolOff(reply);
    const problem = checkEntry(company, parsed.data.timecard_entry, entry);
    if (problem) return unprocessable(reply, problem.field, problem.message);
    applyInput(entry, parsed.data.timecard_entry);
    entry.updated_at = state.now();
    return entryView(state, company, entry);
  });

  // Company bulk create: all or nothing; 200 with the created entries (§10.7).
  const bulkBody = z.object({ timecard_entries: z.array(entryInput).min(1) });
  app.post('/rest/v1.0/companies/:company_id/timesheets', opts, async (request, reply) => {
    const ctx = companyCaller(request);
    const parsed = bulkBody.safeParse(request.body);
    if (!parsed.success)
      return unprocessable(
        reply,
        parsed.error.issues[0]?.path.join('.') ?? 'timecard_entries',
        parsed.error.issues[0]?.message ?? 'is invalid',
      );
    if (parsed.data.timecard_entries.some((e) => toolOff(ctx.company, e.project_id)))
      return timecardToolOff(reply);
    for (const [i, input] of parsed.data.timecard_entries.entries()) {
      const problem = checkEntry(ctx.company, input, null);
      if (problem) return unprocessable(reply, `timecard_entries[${i}].${problem.field}`, problem.message);
    }
    const created = parsed.data.timecard_entries.map((input) =>
      createEntry(state, ctx.company, input, ctx.actor?.id ?? null),
    );
    return created.map((e) => entryView(state, ctx.company, e));
  });

  app.get('/rest/v1.0/companies/:company_id/timecard_time_types', opts, async (request) => {
    const { company } = companyCaller(request);
    return company.timeTypes.map((t) => ({ ...t, company_id: company.id }));
  });
}

function toolOff(company: Company, projectId: number | undefined): boolean {
  return projectId !== undefined && company.projects.get(projectId)?.timecards_enabled === false;
}

/** §8: 403 for a tool disabled in the project; a bulk body touching such a project is refused whole. */
function timecardToolOff(reply: FastifyReply) {
  return sendV1(reply, 403, 'The Timecard tool is not enabled for this project', 'forbidden');
}

function unprocessable(reply: FastifyReply, field: string, message: string) {
  return sendV1(reply, 422, `${field} ${message}`, 'validation_failed', field);
}

function find(company: Company, request: FastifyRequest): TimecardEntry | undefined {
  const id = (request.params as { id?: string }).id;
  return id && /^\d+$/.test(id) ? company.timecards.get(Number(id)) : undefined;
}

function createEntry(
  state: SandboxState,
  company: Company,
  input: EntryInput,
  actorId: number | null,
): TimecardEntry {
  const now = state.now();
  const entry: TimecardEntry = {
    id: state.next('timecard'),
    companyId: company.id,
    projectId: input.project_id ?? 0,
    partyId: input.party_id ?? 0,
    date: input.date ?? '',
    hours: null,
    time_in: null,
    time_out: null,
    lunch_time: null,
    approval_status: 'pending',
    billable: false,
    description: null,
    origin_id: null,
    origin_data: null,
    timecard_time_type_id: null,
    cost_code_id: null,
    work_classification_id: null,
    login_information_id: null,
    created_by_id: actorId,
    created_at: now,
    updated_at: now,
  };
  applyInput(entry, input);
  company.timecards.set(entry.id, entry);
  return entry;
}

function applyInput(entry: TimecardEntry, input: Partial<EntryInput>): void {
  if (input.project_id !== undefined) entry.projectId = input.project_id;
  if (input.party_id !== undefined) entry.partyId = input.party_id;
  if (input.date !== undefined) entry.date = input.date;
  if (input.time_in !== undefined)
    entry.time_in = input.time_in === null ? null : toIso(entry.date, input.time_in);
  if (input.time_out !== undefined)
    entry.time_out = input.time_out === null ? null : toIso(entry.date, input.time_out);
  if (input.lunch_time !== undefined)
    entry.lunch_time = input.lunch_time === null ? null : String(input.lunch_time);
  if (input.hours !== undefined) entry.hours = input.hours === null ? null : Number(input.hours).toFixed(2);
  else if (entry.hours === null && entry.time_in && entry.time_out) {
    const minutes =
      (Date.parse(entry.time_out) - Date.parse(entry.time_in)) / 60_000 - Number(entry.lunch_time ?? 0);
    entry.hours = (Math.max(0, minutes) / 60).toFixed(2);
  }
  for (const k of [
    'approval_status',
    'billable',
    'description',
    'origin_id',
    'origin_data',
    'timecard_time_type_id',
    'cost_code_id',
    'work_classification_id',
  ] as const) {
    if (input[k] !== undefined) (entry as unknown as Record<string, unknown>)[k] = input[k];
  }
  const loginId = input.login_information_id ?? input.user_id;
  if (loginId !== undefined) entry.login_information_id = loginId;
}

function toIso(date: string, time: string): string {
  return /^\d{1,2}:\d{2}$/.test(time)
    ? `${date}T${time.padStart(5, '0')}:00Z`
    : new Date(time).toISOString().replace('.000Z', 'Z');
}

/** The company list/show shape (procore-api.md §5.3, "MyTime field set"). */
export function entryView(state: SandboxState, company: Company, e: TimecardEntry) {
  const person = company.people.get(e.partyId);
  const user = person?.userId != null ? company.users.get(person.userId) : undefined;
  const partyName = user
    ? `${user.first_name ?? ''} ${user.last_name}`.trim()
    : `${person?.first_name ?? ''} ${person?.last_name ?? ''}`.trim();
  const project = company.projects.get(e.projectId);
  const type = company.timeTypes.find((t) => t.id === e.timecard_time_type_id);
  const creator = e.created_by_id !== null ? state.logins.get(e.created_by_id) : undefined;
  const loginId = e.login_information_id ?? user?.id;
  const login = loginId !== undefined ? state.logins.get(loginId) : undefined;
  return {
    id: e.id,
    date: e.date,
    hours: e.hours,
    time_in: e.time_in,
    time_out: e.time_out,
    lunch_time: e.lunch_time,
    approval_status: e.approval_status,
    billable: e.billable,
    description: e.description,
    in_progress: false,
    timecard_type: type?.time_type ?? null,
    origin_id: e.origin_id,
    origin_data: e.origin_data,
    line_item_type_id: null,
    timesheet: null,
    cost_code: costCodeOf(project, e.cost_code_id),
    sub_job: null,
    crew: null,
    project: project ? { id: project.id, name: project.name } : null,
    clock_in: null,
    clock_out: null,
    procore_signature: null,
    custom_fields: {},
    created_by: creator ? { id: creator.id, login: creator.email, name: creator.name } : null,
    login_information: login ? { id: login.id, login: login.email, name: login.name } : null,
    party: person ? { id: person.id, name: partyName } : null,
    timecard_time_type: type ? { ...type, company_id: company.id } : null,
    automatically_split_timecard_entries: [],
    created_at: isoSeconds(e.created_at),
    updated_at: isoSeconds(e.updated_at),
    deleted_at: null,
  };
}

function costCodeOf(project: Project | undefined, id: number | null) {
  if (id === null) return null;
  const c = project?.cost_codes.find((x) => x.id === id);
  return c ? { id: c.id, name: c.name, full_code: c.full_code } : { id, name: null, full_code: null };
}
