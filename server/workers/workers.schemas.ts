import { z } from 'zod';
import { entryActionSchema, numericId } from '../api.schemas';

/** The Workers page's list: who the sync made, and local workers beside them. */
const id = numericId;

export const workerSourceSchema = z.enum(['procore_user', 'local']);

/** What a run did with a worker (a run's entry's result). */
const runResultSchema = entryActionSchema;

export const workerQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  /** With `result`: only the workers that run recorded with that result. */
  runId: id.optional(),
  result: runResultSchema.optional(),
  active: z.enum(['true', 'false']).optional(),
  source: workerSourceSchema.optional(),
  positionId: id.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const workerSchema = z.object({
  id,
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  payrollId: z.string().nullable(),
  position: z.object({ id, name: z.string() }).nullable(),
  active: z.boolean(),
  deactivatedReason: z.string().nullable(),
  source: workerSourceSchema,
  procoreUserId: id.nullable(),
  lastSyncedAt: z.string().nullable(),
  updatedAt: z.string(),
});

export const workerListSchema = z.object({
  workers: z.array(workerSchema),
  nextCursor: z.string().nullable(),
});

/** The company's positions, for the Workers page's filter. */
export const positionListSchema = z.object({
  positions: z.array(z.object({ id, name: z.string(), fromProcore: z.boolean() })),
});

export type PositionList = z.infer<typeof positionListSchema>;

/** The whole company's workforce in numbers (not the page shown). */
export const workerTotalsSchema = z.object({
  total: z.number().int(),
  active: z.number().int(),
  inactive: z.number().int(),
  activeFromProcore: z.number().int(),
  activeLocal: z.number().int(),
  activeMissingPayrollId: z.number().int(),
  activeMissingPosition: z.number().int(),
});

const changedBySchema = z.object({ procoreUserId: id, name: z.string().nullable() }).nullable();

/** One change a run made (or could not make) to a worker. */
export const workerHistoryEntrySchema = z.object({
  id,
  runId: id,
  /** The run's number among the company's runs, as the logs show it. */
  runNumber: z.number().int(),
  runTrigger: z.enum(['manual', 'auto', 'webhook']),
  at: z.string(),
  procoreUserId: id.nullable(),
  action: runResultSchema,
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  changes: z.array(z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() })),
  warnings: z.array(z.string()),
  /** For a change that arrived by webhook: who made it in Procore. */
  changedBy: changedBySchema,
});

export const workerHistorySchema = z.object({
  entries: z.array(workerHistoryEntrySchema),
  nextCursor: z.string().nullable(),
  /** Why an inactive worker is inactive, and since when; null for an active worker. */
  inactive: z
    .object({
      since: z.string(),
      runId: id.nullable(),
      runNumber: z.number().int().nullable(),
      reason: z.string().nullable(),
      changedBy: changedBySchema,
    })
    .nullable(),
});

export const workerHistoryQuerySchema = z.object({
  cursor: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Where a Procore user's page in Procore's company Directory is, for this company. */
export const directoryLinkSchema = z.object({
  /** With a `{userId}` placeholder. */
  userUrl: z.string(),
});

export type WorkerTotals = z.infer<typeof workerTotalsSchema>;
export type WorkerHistory = z.infer<typeof workerHistorySchema>;
export type WorkerHistoryEntry = z.infer<typeof workerHistoryEntrySchema>;
export type RunResult = z.infer<typeof runResultSchema>;
export type DirectoryLink = z.infer<typeof directoryLinkSchema>;
export type WorkerQuery = z.input<typeof workerQuerySchema>;
/** The query as the web app sends it (numbers, not query-string text). */
export type WorkerQueryParams = Omit<WorkerQuery, 'limit'> & { limit?: number };
export type Worker = z.infer<typeof workerSchema>;
export type WorkerList = z.infer<typeof workerListSchema>;

const trimmed = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => (v ? v : null));

/** A local worker as the Workers page saves it; the phone is made E.164 by the service. */
export const workerInputSchema = z.object({
  firstName: trimmed(100),
  lastName: trimmed(100),
  phone: trimmed(40),
  email: optionalText(254).refine((v) => v === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
    message: 'is not an email address',
  }),
  payrollId: optionalText(100),
  positionId: id.nullish().transform((v) => v ?? null),
});

/** A change to a worker; `active: false` deactivates (never deletes). */
export const workerPatchSchema = z
  .object({
    firstName: trimmed(100),
    lastName: trimmed(100),
    phone: trimmed(40),
    email: workerInputSchema.shape.email,
    payrollId: workerInputSchema.shape.payrollId,
    positionId: workerInputSchema.shape.positionId,
    active: z.boolean(),
  })
  .partial()
  .strict();

export const workerParamsSchema = z.object({ companyId: id, workerId: id });
export const workerResponseSchema = z.object({ worker: workerSchema });

export const positionInputSchema = z.object({ name: trimmed(100) }).strict();
export const positionParamsSchema = z.object({ companyId: id, positionId: id });
export const positionSchema = z.object({ id, name: z.string(), fromProcore: z.boolean() });
export const positionResponseSchema = z.object({ position: positionSchema });

export type WorkerInput = z.input<typeof workerInputSchema>;
export type WorkerPatch = z.input<typeof workerPatchSchema>;
export type Position = z.infer<typeof positionSchema>;
