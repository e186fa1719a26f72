import { z } from 'zod';
import { numericId as id } from '../api.schemas';

/** Timesheet Sync Logs: the runs of kind `timesheets`, their entries, and a .txt of each. */
export const sendStatusSchema = z.enum(['queued', 'running', 'succeeded', 'partial', 'failed', 'canceled']);
export const sendActionSchema = z.enum(['created', 'updated', 'unchanged', 'skipped', 'failed']);

export const sendRunSchema = z.object({
  id,
  /** The send's number among the company's timesheet sends, as the log and its .txt name it. */
  number: z.number().int(),
  trigger: z.enum(['manual', 'auto']),
  startedBy: z.string().nullable(),
  status: sendStatusSchema,
  statusReason: z.string().nullable(),
  scope: z
    .object({ projectId: id, projectName: z.string().nullable(), from: z.string(), to: z.string() })
    .nullable(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  progress: z.object({ seen: z.number().int(), total: z.number().int().nullable() }),
  counts: z.object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
  }),
});

export const sendEntrySchema = z.object({
  id,
  timesheetId: id.nullable(),
  workerId: id.nullable(),
  name: z.string(),
  projectId: id.nullable(),
  projectName: z.string().nullable(),
  date: z.string().nullable(),
  hours: z.string().nullable(),
  procoreEntryId: id.nullable(),
  action: sendActionSchema,
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  changes: z.array(z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() })),
});

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const sendRunParamsSchema = z.object({ companyId: id, runId: id });
export const sendRunListQuerySchema = z.object({ cursor: id.optional(), limit: limit(100, 20) });
export const sendRunListSchema = z.object({
  runs: z.array(sendRunSchema),
  nextCursor: z.string().nullable(),
});
export const sendRunResponseSchema = z.object({ run: sendRunSchema, created: z.boolean().optional() });
export const sendEntryQuerySchema = z.object({
  action: sendActionSchema.optional(),
  q: z.string().trim().max(200).optional(),
  cursor: id.optional(),
  limit: limit(500, 100),
});
export const sendEntryListSchema = z.object({
  entries: z.array(sendEntrySchema),
  nextCursor: z.string().nullable(),
});

export type SendRun = z.infer<typeof sendRunSchema>;
export type SendEntry = z.infer<typeof sendEntrySchema>;
export type SendEntryQuery = Omit<z.input<typeof sendEntryQuerySchema>, 'limit'> & { limit?: number };
