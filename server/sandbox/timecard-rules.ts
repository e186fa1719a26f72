import { z } from 'zod';
import type { Company, TimecardEntry } from './model';

const nullableString = z.string().nullable();
const intId = z.coerce.number().int();

/**
 * One timecard entry's writable fields across the company create, update and bulk bodies
 * (procore-api.md §5.2). `hours` is a string on entries and an integer in the bulk body (§9.4):
 * both are accepted. `origin_id` is an integer on v1.0 (§9.3): a non-numeric one is refused.
 */
export const entryInput = z.object({
  project_id: intId.optional(),
  party_id: intId.optional(),
  user_id: intId.optional(),
  login_information_id: intId.optional(),
  date: z.string().optional(),
  hours: z.union([z.string(), z.number()]).nullable().optional(),
  time_in: nullableString.optional(),
  time_out: nullableString.optional(),
  lunch_time: z.union([z.string(), z.number()]).nullable().optional(),
  approval_status: z.enum(['pending', 'reviewed', 'approved', 'completed']).optional(),
  billable: z.boolean().optional(),
  description: nullableString.optional(),
  origin_id: z
    .union([z.number().int(), z.string().regex(/^\d+$/, 'must be an integer').transform(Number)])
    .nullable()
    .optional(),
  origin_data: nullableString.optional(),
  timecard_time_type_id: intId.nullable().optional(),
  cost_code_id: intId.nullable().optional(),
  work_classification_id: intId.nullable().optional(),
});

export type EntryInput = z.infer<typeof entryInput>;

/** What Procore refuses with a 422 (§5.2: date and project required; a known party; ≤ 24 hours). */
export function checkEntry(
  company: Company,
  input: Partial<EntryInput>,
  existing: TimecardEntry | null,
): { field: string; message: string } | null {
  const date = input.date ?? existing?.date;
  if (!date) return { field: 'date', message: "can't be blank" };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
    return { field: 'date', message: 'is not a valid date' };
  }
  const projectId = input.project_id ?? existing?.projectId;
  if (projectId === undefined) return { field: 'project_id', message: "can't be blank" };
  if (!company.projects.has(projectId)) return { field: 'project_id', message: 'does not exist' };
  const partyId = input.party_id ?? existing?.partyId;
  if (partyId === undefined) return { field: 'party_id', message: "can't be blank" };
  const person = company.people.get(partyId);
  if (!person) return { field: 'party_id', message: 'does not exist' };
  if (input.hours !== undefined && input.hours !== null) {
    const h = Number(input.hours);
    if (String(input.hours).trim() === '' || !Number.isFinite(h))
      return { field: 'hours', message: 'is not a number' };
    if (h < 0) return { field: 'hours', message: 'must be greater than or equal to 0' };
    if (h > 24) return { field: 'hours', message: 'must be less than or equal to 24' };
  }
  for (const key of ['time_in', 'time_out'] as const) {
    const v = input[key];
    if (v && !/^\d{1,2}:\d{2}$/.test(v) && Number.isNaN(Date.parse(v)))
      return { field: key, message: 'is invalid' };
  }
  if (input.time_in && input.time_out && /:\d{2}$/.test(input.time_in) && input.time_in.length <= 5) {
    if (input.time_out.length <= 5 && input.time_out.padStart(5, '0') <= input.time_in.padStart(5, '0')) {
      return { field: 'time_out', message: 'must be after time in' };
    }
  }
  if (
    input.timecard_time_type_id != null &&
    !company.timeTypes.some((t) => t.id === input.timecard_time_type_id)
  ) {
    return { field: 'timecard_time_type_id', message: 'does not exist' };
  }
  if (
    input.cost_code_id != null &&
    !company.projects.get(projectId)?.cost_codes.some((c) => c.id === input.cost_code_id)
  ) {
    return { field: 'cost_code_id', message: 'does not exist on this project' };
  }
  if (input.work_classification_id != null && !company.classifications.has(input.work_classification_id)) {
    return { field: 'work_classification_id', message: 'does not exist' };
  }
  return null;
}
