import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { type Keyring, keyringFromSecret } from '../security/encryption';
import { TokenManager } from './auth';
import { type DirectoryEndpoints, directoryEndpoints } from './directory';
import { type HttpOptions, ProcoreHttp } from './http';
import { ProcoreOAuth } from './oauth';
import { type PacerOptions, RatePacer } from './pacer';
import type { Paged } from './pagination';
import { type PermissionEndpoints, permissionEndpoints } from './permissions';
import type { ProcoreCompany, ProcoreMe } from './schemas';
import type { CallOptions, SessionContext } from './session';
import { type TimecardEndpoints, timecardEndpoints } from './timecards';
import { type WebhookEndpoints, webhookEndpoints } from './webhooks';

/**
 * The app's Procore client. One per process: it owns the rate pacer (so every caller in
 * the process shares one view of each rate-limit bucket) and the token caches.
 *
 *   const procore = createProcoreClient({ config, db });
 *   const acme = procore.forCompany('4280001');            // as the service account (DMSA)
 *   for await (const user of acme.listCompanyUsers()) …
 *   procore.forCompany(id, { auth: 'user' })               // as the connecting admin
 *   procore.withAccessToken(token).me()                     // connect flow, before storing
 *   companyAdminFrom(await procore.withAccessToken(token).forCompany(id).permissionManifest())
 */

export type CompanySession = DirectoryEndpoints &
  PermissionEndpoints &
  TimecardEndpoints &
  WebhookEndpoints & {
    readonly companyId: string;
    readonly auth: 'service' | 'user' | 'token';
  };

export interface TokenSession {
  me(o?: CallOptions): Promise<ProcoreMe>;
  companies(o?: CallOptions): Paged<ProcoreCompany>;
  forCompany(companyId: string): CompanySession;
}

export interface ProcoreClient {
  readonly oauth: ProcoreOAuth;
  readonly tokens: TokenManager;
  readonly pacer: RatePacer;
  forCompany(companyId: string, options?: { auth?: 'service' | 'user' }): CompanySession;
  /** Calls with a token the caller holds (the connect flow's fresh token, before it is stored). */
  withAccessToken(accessToken: string): TokenSession;
  /** The companies that installed the app, as its service account sees them (§1.4). */
  installedCompanies(o?: CallOptions): Paged<ProcoreCompany>;
}

export interface ProcoreClientOptions {
  config: Pick<Config, 'procore' | 'appSecret'> & Partial<Pick<Config, 'previousAppSecrets'>>;
  db: Kysely<Database>;
  /** Defaults to APP_SECRET's keyring; pass one with previous secrets while rotating. */
  keyring?: Keyring;
  fetch?: typeof fetch;
  /** Retry and timeout tuning (defaults: 5 attempts, 500 ms base backoff, 30 s timeout). */
  http?: Omit<HttpOptions, 'baseUrl' | 'pacer' | 'fetch'>;
  pacer?: PacerOptions;
  now?: () => number;
}

export function createProcoreClient(options: ProcoreClientOptions): ProcoreClient {
  const { config } = options;
  const pacer = new RatePacer({ now: options.now, ...options.pacer });
  const common = { pacer, fetch: options.fetch, now: options.now, ...options.http };
  const api = new ProcoreHttp({ baseUrl: config.procore.apiUrl, ...common });
  const login = new ProcoreHttp({ baseUrl: config.procore.loginUrl, ...common });
  const oauth = new ProcoreOAuth(login, {
    clientId: config.procore.clientId,
    clientSecret: config.procore.clientSecret,
  });
  const tokens = new TokenManager({
    db: options.db,
    keyring: options.keyring ?? keyringFromSecret(config.appSecret, config.previousAppSecrets ?? []),
    oauth,
    now: options.now,
  });

  function session(ctx: SessionContext, auth: CompanySession['auth']): CompanySession {
    return {
      companyId: ctx.companyId ?? '',
      auth,
      ...directoryEndpoints(ctx),
      ...permissionEndpoints(ctx),
      ...timecardEndpoints(ctx),
      ...webhookEndpoints(ctx),
    };
  }

  return {
    oauth,
    tokens,
    pacer,
    forCompany(companyId, o = {}) {
      const kind = o.auth ?? 'service';
      const auth = kind === 'user' ? tokens.userAuth(companyId) : tokens.serviceAuth(companyId);
      return session({ http: api, auth, companyId }, kind);
    },
    withAccessToken(accessToken) {
      const auth = TokenManager.tokenAuth(accessToken);
      const directory = directoryEndpoints({ http: api, auth, companyId: undefined });
      return {
        me: directory.me,
        companies: directory.companies,
        forCompany: (companyId) => session({ http: api, auth, companyId }, 'token'),
      };
    },
    installedCompanies(o = {}) {
      // Discovery needs no company; the service token for it is cached under its own key.
      return directoryEndpoints({
        http: api,
        auth: tokens.serviceAuth('discovery'),
        companyId: undefined,
      }).companies(o);
    },
  };
}
