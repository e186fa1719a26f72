import { z } from 'zod';

/** The company's switches as the settings API shows them (seed.md: Sync Classifications, Autosync). */
export const syncSettingsSchema = z.object({
  syncClassifications: z.boolean(),
  autosync: z.boolean(),
  userSyncEnabled: z.boolean(),
  /** Minute past each hour when Autosync runs for this company (read only). */
  autosyncMinute: z.number().int().min(0).max(59),
  /** When Autosync last ran for this company, and when it runs next (null when it is off). */
  lastAutoSyncAt: z.string().nullable(),
  nextAutoSyncAt: z.string().nullable(),
  /** Timesheets out (seed.md): send hourly, approved ones only, and make contacts for local workers. */
  autoSyncTimeCards: z.boolean(),
  onlyApproved: z.boolean(),
  includeSubWorkers: z.boolean(),
});
export const settingsPatchSchema = z
  .object({
    syncClassifications: z.boolean(),
    autosync: z.boolean(),
    userSyncEnabled: z.boolean(),
    autoSyncTimeCards: z.boolean(),
    onlyApproved: z.boolean(),
    includeSubWorkers: z.boolean(),
  })
  .partial()
  .strict();

export type SyncSettings = z.infer<typeof syncSettingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
