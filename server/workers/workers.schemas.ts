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
