import { z } from 'zod';

/** The kinds of problem an admin is told about (README "Alerts"). */
export const alertCodeSchema = z.enum([
  'disconnected',
  'auto_sync_failed',
  'auto_send_failed',
  'webhooks_failing',
  'webhook_missing',
  'review_waiting',
]);
export type AlertCode = z.infer<typeof alertCodeSchema>;

/** What the banner offers to do about it. */
export const alertActionSchema = z.discriminatedUnion('kind', [
  /** Connect to Procore again (the frame's Connect). */
  z.object({ kind: z.literal('reconnect'), label: z.string() }),
  /** The Connection page. */
  z.object({ kind: z.literal('connection'), label: z.string() }),
  /** A user sync run's page (its log, or its review). */
  z.object({ kind: z.literal('run'), label: z.string(), runId: z.string() }),
  /** A timesheet send's page. */
  z.object({ kind: z.literal('timesheet_run'), label: z.string(), runId: z.string() }),
  /** Start a full Sync (admins). */
  z.object({ kind: z.literal('sync'), label: z.string() }),
]);

export const alertSchema = z.object({
  code: alertCodeSchema,
  severity: z.enum(['error', 'warning']),
  /** One sentence: what is wrong. */
  title: z.string(),
  /** Why, what it means, and what to do. */
  detail: z.string(),
  /** When it was last seen going wrong (the failed run's end, the last failed change…). */
  at: z.string().nullable(),
  action: alertActionSchema,
});
export type Alert = z.infer<typeof alertSchema>;

export const alertListSchema = z.object({ alerts: z.array(alertSchema) });
export type AlertList = z.infer<typeof alertListSchema>;
