import { z } from 'zod';
import { numericId } from '../api.schemas';

/** The Workers page's list: who the sync made, and local workers beside them. */
const id = numericId;

export const workerSourceSchema = z.enum(['procore_user', 'local']);

export const workerQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
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
