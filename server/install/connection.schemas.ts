import { z } from 'zod';

export const connectionSchema = z.object({
  companyId: z.string(),
  companyName: z.string(),
  state: z.enum(['connected', 'disconnected']),
  disconnectReason: z.string().nullable(),
  connectedAt: z.string().nullable(),
  connectedBy: z.string().nullable(),
  disconnectedAt: z.string().nullable(),
  accessMode: z.enum(['service_account', 'user_token']),
  webhookRegistered: z.boolean(),
  lastWebhookAt: z.string().nullable(),
  lastFullSyncAt: z.string().nullable(),
  /** The newest user sync that worked (manual or automatic), and when it ended. */
  lastSyncRunId: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  /** When Autosync last ran and runs next (null when it is off): the settings API's values. */
  lastAutoSyncAt: z.string().nullable(),
  nextAutoSyncAt: z.string().nullable(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const meResponseSchema = z.object({
  user: z.object({ procoreUserId: z.string(), name: z.string(), isAdmin: z.boolean() }),
  connection: connectionSchema,
});
export type MeResponse = z.infer<typeof meResponseSchema>;

export const sessionResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  companyId: z.string(),
  userName: z.string(),
  isAdmin: z.boolean(),
  /**
   * The sign-in's refresh handle, only when the one-time code is traded. The same value is in a
   * partitioned HttpOnly cookie; the frame keeps this copy in sessionStorage where it has storage.
   */
  handle: z.string().optional(),
  /** When the handle lapses unless a renewal uses it again. */
  handleExpiresAt: z.string(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;
