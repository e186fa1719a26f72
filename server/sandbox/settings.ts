import { z } from 'zod';

/**
 * Every knob of the sandbox, with Procore's documented values as defaults. Where procore-api.md
 * marks a behaviour unconfirmed (§9) the default is the most likely one and the knob lets a test
 * try the other.
 */
export interface SandboxSettings {
  clientId: string;
  clientSecret: string;
  /** The app's name, which prefixes its service-account user (procore-api.md §1.4). */
  appName: string;
  /** procore-api.md §1.3: 5400 s; shorter for tests. */
  tokenLifetimeSeconds: number;
  /** procore-api.md §1.2: authorization codes are single-use and live 10 minutes. */
  codeLifetimeSeconds: number;
  /**
   * procore-api.md §2.4 / §9.9: the only stated maximum is 10,000 (older doc); current docs only
   * recommend ≤ 2,000. Larger values are clamped and `Per-Page` reports the clamped value.
   */
  maxPerPage: number;
  /** Undocumented for v1 (§2.4); Procore's own examples use 100. */
  defaultPerPage: number;
  rateLimit: {
    /** procore-api.md §7 / §9.8: legacy 3,600 per hour; current docs give no number. */
    hourly: number;
    spike: number;
    hourlyWindowSeconds: number;
    spikeWindowSeconds: number;
  };
  webhooks: {
    /** Multiplies every webhook duration (timeout, backoff, retry window) so tests run fast. */
    timeScale: number;
    /** Share of deliveries sent twice (procore-api.md §6.3: at least once). */
    duplicateShare: number;
    /** §9.12: no ordering guarantee. When on, each delivery waits a random part of `reorderWindowMs`. */
    outOfOrder: boolean;
    reorderWindowMs: number;
    /** procore-api.md §6.3: 5 s timeout, backoff 1 s doubling to 1 h, discarded after 12 h. */
    timeoutMs: number;
    initialBackoffMs: number;
    maxBackoffMs: number;
    retryWindowMs: number;
    /** §9.13: undocumented whether deactivation emits `update` or `delete`; `update` is likelier. */
    deactivationEvent: 'update' | 'delete';
  };
  /**
   * §1.5: DMSA callers "must" send Procore-Company-Id even on /me and /companies, but a DMSA
   * discovers its companies through /companies (§1.4), so by default the header is optional there.
   */
  requireCompanyHeaderForServiceAccountDirectory: boolean;
  /** §1.5 gives the text "Missing Procore-Company-Id header!" but no status; §8 maps missing input to 400. */
  missingCompanyHeaderStatus: number;
  /** Allowed OAuth redirect URIs (prefix match); empty = any http(s) URL or the oob URN. */
  redirectUris: string[];
  /**
   * §9.7: the rate-limiting page ties `Retry-After` to 503 and says to use `X-Rate-Limit-Reset`
   * on 429; other pages say to honour `Retry-After` on 429. Off by default (the stricter case).
   */
  retryAfterOn429: boolean;
  /** The permission manifest (procore-api.md §2.5) and the template fields it is read beside (§2.2). */
  permissions: {
    /**
     * How `GET /rest/v1.0/settings/permissions` answers: with the caller's tools, or refused
     * (403 / 404) for every caller, so an app can prove it copes when the manifest is unavailable.
     */
    manifest: 'answer' | 'forbidden' | 'not_found';
    /**
     * §2.5: the live `name` and `friendly_name` of the company Admin tool are unconfirmed ("admin" /
     * "Admin", "Company Admin"); these let a test try each spelling.
     */
    adminToolName: string;
    adminToolFriendlyName: string;
    /**
     * Company-user records without `company_permission_template` (list items) and
     * `company_permission_template_id` (show, `/me`): the key is left out, not null, as a Procore
     * that dropped the field would. The manifest still answers from the user's template.
     */
    omitCompanyPermissionTemplate: boolean;
  };
}

export function defaultSettings(): SandboxSettings {
  return {
    clientId: 'sandbox-client',
    clientSecret: 'sandbox-secret',
    appName: 'Worker Sync',
    tokenLifetimeSeconds: 5400,
    codeLifetimeSeconds: 600,
    maxPerPage: 10_000,
    defaultPerPage: 100,
    rateLimit: { hourly: 3600, spike: 100, hourlyWindowSeconds: 3600, spikeWindowSeconds: 10 },
    webhooks: {
      timeScale: 1,
      duplicateShare: 0,
      outOfOrder: false,
      reorderWindowMs: 2000,
      timeoutMs: 5000,
      initialBackoffMs: 1000,
      maxBackoffMs: 3_600_000,
      retryWindowMs: 12 * 3_600_000,
      deactivationEvent: 'update',
    },
    requireCompanyHeaderForServiceAccountDirectory: false,
    missingCompanyHeaderStatus: 400,
    redirectUris: [],
    retryAfterOn429: false,
    permissions: {
      manifest: 'answer',
      adminToolName: 'admin',
      adminToolFriendlyName: 'Admin',
      omitCompanyPermissionTemplate: false,
    },
  };
}

const positive = z.number().positive();
const positiveInt = z.number().int().positive();

/** What `PATCH /_sandbox/settings` accepts: any subset, nested objects merged. */
export const settingsPatchSchema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    appName: z.string().min(1),
    tokenLifetimeSeconds: positiveInt,
    codeLifetimeSeconds: positiveInt,
    maxPerPage: positiveInt,
    defaultPerPage: positiveInt,
    rateLimit: z
      .object({
        hourly: positiveInt,
        spike: positiveInt,
        hourlyWindowSeconds: positive,
        spikeWindowSeconds: positive,
      })
      .partial(),
    webhooks: z
      .object({
        timeScale: positive,
        duplicateShare: z.number().min(0).max(1),
        outOfOrder: z.boolean(),
        reorderWindowMs: z.number().min(0),
        timeoutMs: positive,
        initialBackoffMs: positive,
        maxBackoffMs: positive,
        retryWindowMs: positive,
        deactivationEvent: z.enum(['update', 'delete']),
      })
      .partial(),
    requireCompanyHeaderForServiceAccountDirectory: z.boolean(),
    missingCompanyHeaderStatus: z.number().int().min(400).max(499),
    redirectUris: z.array(z.string()),
    retryAfterOn429: z.boolean(),
    permissions: z
      .object({
        manifest: z.enum(['answer', 'forbidden', 'not_found']),
        adminToolName: z.string().min(1),
        adminToolFriendlyName: z.string().min(1),
        omitCompanyPermissionTemplate: z.boolean(),
      })
      .partial(),
  })
  .partial()
  .strict();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function applySettingsPatch(settings: SandboxSettings, patch: SettingsPatch): void {
  const { rateLimit, webhooks, permissions, ...flat } = patch;
  Object.assign(settings, flat);
  if (rateLimit) Object.assign(settings.rateLimit, rateLimit);
  if (webhooks) Object.assign(settings.webhooks, webhooks);
  if (permissions) Object.assign(settings.permissions, permissions);
}
