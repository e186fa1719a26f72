import { z } from 'zod';
import { optionalText, procoreId } from './common';

/**
 * Timecard entries and time types (procore-api.md §5). `hours` is a string in responses but an
 * integer in the bulk body schema (§9.4, §10.7): accept either and keep the decimal text.
 * `origin_id` is an integer on v1.0 entries and a string elsewhere (§9.3): kept as text.
 */
const hours = z.union([z.string(), z.number().transform(String)]).nullable();
const originId = z.union([z.string(), z.number().transform(String)]).nullish();

export const timecardEntrySchema = z.looseObject({
  id: procoreId,
  date: z.string().nullable(),
  hours,
  time_in: optionalText,
  time_out: optionalText,
  lunch_time: z.union([z.string(), z.number().transform(String)]).nullish(),
  approval_status: optionalText,
  description: optionalText,
  origin_id: originId,
  party: z.looseObject({ id: procoreId, name: optionalText }).nullish(),
  project: z.looseObject({ id: procoreId, name: optionalText }).nullish(),
  timecard_time_type: z.looseObject({ id: procoreId, time_type: optionalText }).nullish(),
});
export type ProcoreTimecardEntry = z.output<typeof timecardEntrySchema>;

/** `GET /rest/v1.0/companies/{id}/timecard_time_types` → `[{id, time_type}]` (§5.1). */
export const timeTypeSchema = z.looseObject({
  id: procoreId,
  time_type: z.string(),
  abbreviated_time_type: optionalText,
  global: z.boolean().nullish(),
});
export type ProcoreTimeType = z.output<typeof timeTypeSchema>;

/**
 * A project cost code (`GET /rest/v1.0/cost_codes?project_id=`): what a timecard entry's
 * `cost_code_id` names. Not in procore-api.md; the fields are those of Procore's public reference.
 * A division (a code with children) comes back too; `parent` tells them apart.
 */
export const costCodeSchema = z.looseObject({
  id: procoreId,
  name: z.string().nullable(),
  code: optionalText,
  full_code: optionalText,
  parent: z.looseObject({ id: procoreId }).nullish(),
});
export type ProcoreCostCode = z.output<typeof costCodeSchema>;
