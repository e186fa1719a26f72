import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The runtime contract of design.md: every environment variable the app reads, validated once.
 * A bad value stops the process with one message naming every bad variable.
 */

// Procore's browser origins (procore-app.md §7): production regions and the developer sandbox.
const PROCORE_BROWSER_ORIGINS = [
  'https://app.procore.com',
  'https://us02.procore.com',
  'https://uk01.procore.com',
  'https://sandbox.procore.com',
  'https://api-sandbox-monthly.procore.com',
];

const port = z.coerce.number().int().min(1).max(65535);
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url.optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().min(1).default('./data'),
  APP_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  APP_SECRET_PREVIOUS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const secrets = (v ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (secrets.some((x) => x.length < 32)) {
        ctx.addIssue({ code: 'custom', message: 'each previous secret must be at least 32 characters' });
        return z.NEVER;
      }
      return secrets;
    }),
  PROCORE_CLIENT_ID: optionalText,
  PROCORE_CLIENT_SECRET: optionalText,
  PROCORE_LOGIN_URL: url.default('https://login.procore.com'),
  PROCORE_API_URL: url.default('https://api.procore.com'),
  PROCORE_FRAME_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const origins = v.split(/[\s,]+/).filter(Boolean);
      for (const o of origins) {
        if (!/^https?:\/\/[^/\s]+$/.test(o)) {
          ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin (scheme://host[:port])` });
          return z.NEVER;
        }
      }
      return origins;
    }),
  SANDBOX_PORT: port.default(4000),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  SESSION_RECHECK_SECONDS: z.coerce.number().int().min(0).max(86_400).default(900),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/\s]+/, 'must be an smtp:// or smtps:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SMTP_FROM: optionalText,
  PROCORE_DIRECTORY_USER_URL: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!/^https?:\/\/[^/\s]+/.test(v) || !v.includes('{userId}')) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be an http(s) URL with a {userId} placeholder (and optionally {companyId})',
        });
        return z.NEVER;
      }
      return v;
    }),
});

/** Procore's company Directory page of one user (the company-level Directory tool). */
export const PROCORE_DIRECTORY_USER_URL =
  'https://app.procore.com/{companyId}/company/directory/users/{userId}';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Sandbox mode: no Procore credentials, the built-in Procore simulator stands in for Procore. */
  readonly sandbox: boolean;
  readonly sandboxPort: number;
  readonly appSecret: string;
  /** Earlier APP_SECRETs, still accepted to decrypt tokens stored before a rotation. */
  readonly previousAppSecrets: readonly string[];
  readonly procore: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly loginUrl: string;
    readonly apiUrl: string;
  };
  readonly frameOrigins: readonly string[];
  readonly logLevel: string;
  readonly session: {
    /** How long one session token lives; the frame renews it before then (server/auth). */
    readonly ttlSeconds: number;
    /** At most this often a renewal asks Procore again about the person's access. */
    readonly recheckSeconds: number;
  };
  /** Alert e-mails to company admins (server/alerts). */
  readonly mail: {
    /** Where they go out; unset → none are sent (sandbox mode keeps them in an outbox page). */
    readonly smtpUrl: string | undefined;
    /** The From of every alert e-mail. */
    readonly from: string;
  };
  /**
   * A user's page in Procore's company Directory, with `{companyId}` and `{userId}` placeholders:
   * where an admin fixes what made a user's sync skip or fail.
   */
  readonly directoryUserUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The sandbox's own app credentials (see the sandbox's README section); not secrets. */
export const SANDBOX_CLIENT_ID = 'sandbox-client';
export const SANDBOX_CLIENT_SECRET = 'sandbox-secret';

/**
 * Parses the environment. Pure except for `readDevSecret`, which sandbox mode uses to obtain
 * a generated APP_SECRET (tests pass their own).
 */
export function parseConfig(
  rawEnv: Record<string, string | undefined>,
  readDevSecret: (dataDir: string) => string = ensureDevSecret,
): Config {
  const result = envSchema.safeParse(rawEnv);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  const e = result.data;
  const problems: string[] = [];
  const hasId = e.PROCORE_CLIENT_ID !== undefined;
  const hasSecret = e.PROCORE_CLIENT_SECRET !== undefined;
  if (hasId !== hasSecret) {
    problems.push(
      `${hasId ? 'PROCORE_CLIENT_SECRET' : 'PROCORE_CLIENT_ID'}: must be set together with ${
        hasId ? 'PROCORE_CLIENT_ID' : 'PROCORE_CLIENT_SECRET'
      }`,
    );
  }
  const sandbox = !hasId && !hasSecret;
  if (!sandbox && e.APP_SECRET === undefined) {
    problems.push('APP_SECRET: required when Procore credentials are set (at least 32 characters)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = resolve(e.DATA_DIR);
  const sandboxBase = `http://127.0.0.1:${e.SANDBOX_PORT}`;
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const config: Config = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sandbox,
    sandboxPort: e.SANDBOX_PORT,
    appSecret: e.APP_SECRET ?? readDevSecret(dataDir),
    previousAppSecrets: e.APP_SECRET_PREVIOUS,
    procore: sandbox
      ? {
          clientId: SANDBOX_CLIENT_ID,
          clientSecret: SANDBOX_CLIENT_SECRET,
          loginUrl: rawEnv.PROCORE_LOGIN_URL ? e.PROCORE_LOGIN_URL : sandboxBase,
          apiUrl: rawEnv.PROCORE_API_URL ? e.PROCORE_API_URL : sandboxBase,
        }
      : {
          clientId: e.PROCORE_CLIENT_ID!,
          clientSecret: e.PROCORE_CLIENT_SECRET!,
          loginUrl: e.PROCORE_LOGIN_URL,
          apiUrl: e.PROCORE_API_URL,
        },
    frameOrigins: [
      ...(e.PROCORE_FRAME_ORIGINS ?? PROCORE_BROWSER_ORIGINS),
      ...(sandbox ? [sandboxBase] : []),
    ],
    logLevel: e.LOG_LEVEL,
    session: { ttlSeconds: e.SESSION_TTL_SECONDS, recheckSeconds: e.SESSION_RECHECK_SECONDS },
    mail: { smtpUrl: e.SMTP_URL, from: e.SMTP_FROM ?? `Worker Sync <worker-sync@${mailDomain(publicUrl)}>` },
    directoryUserUrl:
      e.PROCORE_DIRECTORY_USER_URL ??
      (sandbox
        ? `${sandboxBase}/directory?company_id={companyId}&user_id={userId}`
        : PROCORE_DIRECTORY_USER_URL),
  };
  return deepFreeze(config);
}

/** The app's host name, for the default From address (`localhost` stays as it is). */
function mailDomain(publicUrl: string): string {
  return new URL(publicUrl).hostname.replace(/^\[|\]$/g, '') || 'localhost';
}

/** Reads DATA_DIR/secrets.json, generating it on first start (sandbox mode only). */
export function ensureDevSecret(dataDir: string): string {
  const file = resolve(dataDir, 'secrets.json');
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { appSecret?: unknown };
    if (typeof stored.appSecret === 'string' && stored.appSecret.length >= 32) return stored.appSecret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const appSecret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${JSON.stringify({ appSecret }, null, 2)}\n`, { mode: 0o600 });
  return appSecret;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
