import { z } from 'zod';
import { companyParamsSchema, entryActionSchema, numericId } from '../api.schemas';

/**
 * Request and response shapes of the sync and logs API. The web app
 * imports the inferred types; routes declare these so responses are checked
 * and unlisted fields stripped (rule 6). Dates are ISO 8601 strings; ids are decimal strings.
 */
const id = numericId;
const isoDate = z.string();

export const syncTriggerSchema = z.enum(['manual', 'auto', 'webhook']);
export const syncModeSchema = z.enum(['full', 'incremental', 'webhook']);
export const syncStatusSchema = z.enum([
  'queued',
  'running',
  'succeeded',
  'partial',
  'failed',
  'needs_review',
  'canceled',
]);

export { companyParamsSchema };
export const runParamsSchema = z.object({ companyId: id, runId: id });

export const runCountsSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  deactivated: z.number().int(),
  reactivated: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  warnings: z.number().int(),
  wouldDeactivate: z.number().int(),
});

export const syncRunSchema = z.object({
  id,
  /** What the admin reads: the company's runs numbered 1, 2, 3… in the order the logs list them. */
  number: z.number().int(),
  trigger: syncTriggerSchema,
  mode: syncModeSchema,
  /** The admin's name; null for Autosync and webhooks. */
  startedBy: z.string().nullable(),
  status: syncStatusSchema,
  statusReason: z.string().nullable(),
  queuedAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  durationMs: z.number().int().nullable(),
  progress: z.object({ seen: z.number().int(), total: z.number().int().nullable() }),
  counts: runCountsSchema,
  reviewedBy: z.string().nullable(),
  reviewedAt: isoDate.nullable(),
});

export const startSyncBodySchema = z.object({ mode: z.literal('full').optional() }).optional();
export const runResponseSchema = z.object({ run: syncRunSchema });

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const runListQuerySchema = z.object({
  cursor: id.optional(),
  limit: limit(100, 20),
  trigger: syncTriggerSchema.optional(),
  status: syncStatusSchema.optional(),
  /** A person's name or email: only the runs that touched them, each with their result there. */
  q: z.string().trim().max(200).optional(),
});

export const fieldChangeSchema = z.object({
  field: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
});

export const syncEntrySchema = z.object({
  /** Null in a preview (nothing is recorded). */
  id: id.nullable(),
  procoreUserId: id,
  workerId: id.nullable(),
  name: z.string(),
  email: z.string().nullable(),
  action: entryActionSchema,
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  changes: z.array(fieldChangeSchema),
  warnings: z.array(z.string()),
});

/** A person a searched run touched, and what the run did with them. */
export const runMatchSchema = syncEntrySchema.pick({
  procoreUserId: true,
  name: true,
  email: true,
  action: true,
  reason: true,
});
export const runListSchema = z.object({
  runs: z.array(
    syncRunSchema.extend({
      /** With `q`: the people of this run who match it (at most five). */
      matches: z.array(runMatchSchema).optional(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const entryQuerySchema = z.object({
  action: entryActionSchema.optional(),
  q: z.string().trim().max(200).optional(),
  cursor: id.optional(),
  limit: limit(500, 100),
});
/** The .txt download: `tz` is the viewer's IANA time zone (e.g. America/Chicago). */
export const logQuerySchema = z.object({ tz: z.string().max(64).optional() });

export const entryListSchema = z.object({
  entries: z.array(syncEntrySchema),
  nextCursor: z.string().nullable(),
});

export const previewSchema = z.object({
  counts: runCountsSchema,
  /** Procore users read. */
  total: z.number().int(),
  /** What would change (every entry but `unchanged`), at most 5,000. */
  entries: z.array(syncEntrySchema),
  truncated: z.boolean(),
  safeguard: z.object({
    wouldStop: z.boolean(),
    deactivations: z.number().int(),
    syncedWorkers: z.number().int(),
  }),
});

export type SyncTrigger = z.infer<typeof syncTriggerSchema>;
export type SyncStatus = z.infer<typeof syncStatusSchema>;
export type EntryAction = z.infer<typeof entryActionSchema>;
export type RunCounts = z.infer<typeof runCountsSchema>;
export type SyncRun = z.infer<typeof syncRunSchema>;
export type RunResponse = z.infer<typeof runResponseSchema>;
export type RunList = z.infer<typeof runListSchema>;
export type RunListQuery = Omit<z.input<typeof runListQuerySchema>, 'limit'> & { limit?: number };
export type RunMatch = z.infer<typeof runMatchSchema>;
export type FieldChange = z.infer<typeof fieldChangeSchema>;
export type SyncEntry = z.infer<typeof syncEntrySchema>;
export type EntryQuery = z.input<typeof entryQuerySchema>;
/** The query as the web app sends it (numbers, not query-string text). */
export type EntryQueryParams = Omit<EntryQuery, 'limit'> & { limit?: number };
export type EntryList = z.infer<typeof entryListSchema>;
export type Preview = z.infer<typeof previewSchema>;
