import { z } from 'zod';
import { numericId as id } from '../api.schemas';

/** The Timesheets page's API: a week grid per Procore project, and sends to Procore. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

export const timesheetStatusSchema = z.enum(['unsent', 'sending', 'sent', 'changed', 'skipped', 'failed']);
export const approvalSchema = z.enum(['pending', 'approved']);

export const timesheetSchema = z.object({
  id,
  workerId: id,
  projectId: id,
  date: isoDate,
  hours: z.string(),
  timeIn: z.string().nullable(),
  timeOut: z.string().nullable(),
  breakMinutes: z.number().int().nullable(),
  costCodeId: id.nullable(),
  notes: z.string().nullable(),
  approval: approvalSchema,
  sendState: timesheetStatusSchema,
  lastError: z.string().nullable(),
  procoreEntryId: id.nullable(),
  sentAt: z.string().nullable(),
  updatedAt: z.string(),
});

const timeFields = {
  hours: z.number().min(0).max(24).nullish(),
  timeIn: clock.nullish(),
  timeOut: clock.nullish(),
  breakMinutes: z.number().int().min(0).max(720).nullish(),
  costCodeId: id.nullish(),
  notes: z.string().trim().max(2000).nullish(),
  approval: approvalSchema.optional(),
};

export const timesheetInputSchema = z
  .object({ workerId: id, projectId: id, date: isoDate, ...timeFields })
  .strict();
export const timesheetPatchSchema = z.object(timeFields).strict();

export const timesheetParamsSchema = z.object({ companyId: id, timesheetId: id });
export const timesheetResponseSchema = z.object({ timesheet: timesheetSchema });
export const timesheetWeekQuerySchema = z.object({ projectId: id, from: isoDate, to: isoDate });
export const timesheetListSchema = z.object({ timesheets: z.array(timesheetSchema) });

export const projectListSchema = z.object({
  projects: z.array(z.object({ id, name: z.string(), projectNumber: z.string().nullable() })),
});

/** A project's cost codes a timesheet can take: the codes, not the divisions that group them. */
export const costCodeListSchema = z.object({
  costCodes: z.array(z.object({ id, code: z.string(), name: z.string() })),
});
export const projectParamsSchema = z.object({ companyId: id, projectId: id });

export const sendRequestSchema = z.object({ projectId: id, from: isoDate, to: isoDate }).strict();

export type Timesheet = z.infer<typeof timesheetSchema>;
export type TimesheetInput = z.infer<typeof timesheetInputSchema>;
export type TimesheetPatch = z.infer<typeof timesheetPatchSchema>;
export type ProjectList = z.infer<typeof projectListSchema>;
export type CostCodeList = z.infer<typeof costCodeListSchema>;
export type TimesheetStatus = z.infer<typeof timesheetStatusSchema>;
