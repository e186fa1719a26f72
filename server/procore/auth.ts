import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { DecryptionError, type Keyring } from '../security/encryption';
import { ProcoreUnauthorizedError } from './errors';
import type { AuthSource } from './http';
import type { ProcoreOAuth } from './oauth';
import type { ProcoreTokenResponse } from './schemas';
import {
  deleteServiceToken,
  deleteUserTokens,
  loadServiceToken,
  loadUserTokens as loadStored,
  lockServiceToken,
  lockUserTokens,
  markUserTokensDead,
  type ServiceToken,
  saveServiceToken,
  saveUserTokens,
  type UserTokens,
} from './token-store';

/**
 * Access tokens for Procore calls (procore-api.md §1.2–§1.4, design.md flow 2).
 *
 * Service account (DMSA): a client-credentials token per company, stored encrypted in
 * `procore_tokens` (kind 'service') so every app process on the database uses the same one until
 * it nears expiry, renewed `RENEW_MARGIN` before it expires. A fetch runs inside a transaction
 * holding an advisory lock on the company's row and re-reads first, so processes renewing at
 * once make one client-credentials grant; callers in one process share one pending fetch.
 *
 * User tokens (the connecting admin's): stored encrypted in `procore_tokens`. Refresh rotates
 * both tokens and kills the old refresh token on any use (§1.3), so a refresh runs inside a
 * transaction holding an advisory lock on the company's row: re-read (another process may have
 * refreshed already), refresh only if still needed, store the new pair, commit, and only then
 * use it. Two processes therefore never spend one refresh token, and a crash after Procore
 * answered but before the commit is the only way to lose a pair (the company then reconnects).
 */

/** Renew this long before expiry, or a quarter of the lifetime for short-lived test tokens. */
const RENEW_MARGIN_MS = 5 * 60_000;

function renewAt(expiresAt: number, lifetimeMs: number): number {
  return expiresAt - Math.min(RENEW_MARGIN_MS, lifetimeMs / 4);
}

export interface TokenManagerOptions {
  db: Kysely<Database>;
  keyring: Keyring;
  oauth: ProcoreOAuth;
  now?: () => number;
}

interface CachedToken {
  accessToken: string;
  renewAt: number;
}

export class TokenManager {
  readonly #db: Kysely<Database>;
  readonly #keyring: Keyring;
  readonly #oauth: ProcoreOAuth;
  readonly #now: () => number;
  readonly #service = new Map<string, CachedToken>();
  readonly #servicePending = new Map<string, Promise<CachedToken>>();
  readonly #user = new Map<string, CachedToken>();
  readonly #userPending = new Map<string, Promise<string>>();

  constructor(options: TokenManagerOptions) {
    this.#db = options.db;
    this.#keyring = options.keyring;
    this.#oauth = options.oauth;
    this.#now = options.now ?? Date.now;
  }

  /** Auth for calls as the company's service account (rate limited per company, §7). */
  serviceAuth(companyId: string): AuthSource {
    return {
      rateKey: `service:${companyId}`,
      accessToken: async () => (await this.#serviceToken(companyId)).accessToken,
      renew: async (rejected) => (await this.#serviceToken(companyId, rejected)).accessToken,
    };
  }

  /** Auth for calls as the company's connecting admin (rate limited per token, §7). */
  userAuth(companyId: string): AuthSource {
    return {
      rateKey: `user:${companyId}`,
      accessToken: () => this.userAccessToken(companyId),
      renew: (rejected) => this.refreshUserToken(companyId, rejected),
    };
  }

  /** Auth for a token held by the caller (the connect flow, before anything is stored). */
  static tokenAuth(accessToken: string): AuthSource {
    const digest = createHash('sha256').update(accessToken).digest('base64url').slice(0, 16);
    return { rateKey: `token:${digest}`, accessToken: async () => accessToken, renew: async () => undefined };
  }

  /**
   * The company's service-account token: this process's copy while fresh, else the stored one,
   * else a new grant. `rejected` (after a 401) is never handed out again.
   */
  async #serviceToken(companyId: string, rejected?: string): Promise<CachedToken> {
    const cached = this.#service.get(companyId);
    if (cached && cached.accessToken !== rejected && this.#now() < cached.renewAt) return cached;
    const pending = this.#servicePending.get(companyId);
    if (pending) {
      const token = await pending;
      if (token.accessToken !== rejected) return token;
    }
    if (cached?.accessToken === rejected) this.#service.delete(companyId);
    let next = this.#servicePending.get(companyId);
    if (!next) {
      next = this.#sharedServiceToken(companyId, rejected)
        .then((token) => {
          this.#service.set(companyId, token);
          return token;
        })
        .finally(() => this.#servicePending.delete(companyId));
      this.#servicePending.set(companyId, next);
    }
    return next;
  }

  async #sharedServiceToken(companyId: string, rejected: string | undefined): Promise<CachedToken> {
    // A token for no company (finding the companies that installed the app) stays in this process.
    if (!/^\d+$/.test(companyId)) return this.#cachedService(await this.#grantServiceToken());
    const usable = (token: ServiceToken | undefined): token is ServiceToken =>
      token !== undefined && token.accessToken !== rejected && this.#fresh(token);
    const stored = await this.#loadServiceToken(this.#db, companyId);
    if (usable(stored)) return this.#cachedService(stored);
    const token = await this.#db.transaction().execute(async (trx) => {
      await lockServiceToken(trx, companyId);
      const current = await this.#loadServiceToken(trx, companyId);
      if (usable(current)) return current;
      const fetched = await this.#grantServiceToken();
      await saveServiceToken(trx, this.#keyring, companyId, fetched);
      return fetched;
    });
    return this.#cachedService(token);
  }

  async #grantServiceToken(): Promise<ServiceToken> {
    const started = this.#now();
    const res = await this.#oauth.clientCredentials();
    return {
      accessToken: res.access_token,
      expiresAt: new Date(started + res.expires_in * 1000),
      storedAt: new Date(started),
    };
  }

  /** A stored token this APP_SECRET cannot open is as good as none: a new one is cheap to get. */
  async #loadServiceToken(
    db: Parameters<typeof loadServiceToken>[0],
    companyId: string,
  ): Promise<ServiceToken | undefined> {
    try {
      return await loadServiceToken(db, this.#keyring, companyId);
    } catch (error) {
      if (error instanceof DecryptionError) return undefined;
      throw error;
    }
  }

  #cachedService(token: ServiceToken): CachedToken {
    const lifetime = Math.max(0, token.expiresAt.getTime() - token.storedAt.getTime());
    return { accessToken: token.accessToken, renewAt: renewAt(token.expiresAt.getTime(), lifetime) };
  }

  /** The company's user access token, refreshed first when it is about to expire. */
  async userAccessToken(companyId: string): Promise<string> {
    const cached = this.#user.get(companyId);
    if (cached && this.#now() < cached.renewAt) return cached.accessToken;
    const stored = await loadUserTokens(this.#db, this.#keyring, companyId);
    if (!stored) throw notConnected();
    if (this.#fresh(stored)) return this.#remember(companyId, stored);
    return this.refreshUserToken(companyId);
  }

  /**
   * Refreshes the company's user token unless another process (or caller) already has. With
   * `rejected` (after a 401) it refreshes unless the stored token differs from the rejected one.
   */
  refreshUserToken(companyId: string, rejected?: string): Promise<string> {
    let pending = this.#userPending.get(companyId);
    if (!pending) {
      this.#user.delete(companyId);
      pending = this.#refreshLocked(companyId, rejected).finally(() => this.#userPending.delete(companyId));
      this.#userPending.set(companyId, pending);
    }
    return pending;
  }

  async #refreshLocked(companyId: string, rejected: string | undefined): Promise<string> {
    const outcome = await this.#db.transaction().execute(async (trx) => {
      await lockUserTokens(trx, companyId);
      const stored = await loadUserTokens(trx, this.#keyring, companyId);
      if (!stored) return { kind: 'missing' } as const;
      const stillGood = rejected === undefined ? this.#fresh(stored) : stored.accessToken !== rejected;
      if (stillGood) return { kind: 'ok', tokens: stored } as const;
      if (!stored.refreshToken) return { kind: 'refused', error: signInRefused() } as const;
      let res: ProcoreTokenResponse;
      try {
        res = await this.#oauth.refresh(stored.refreshToken);
      } catch (error) {
        if (!(error instanceof ProcoreUnauthorizedError)) throw error;
        await markUserTokensDead(trx, companyId, new Date(this.#now()));
        return { kind: 'refused', error } as const;
      }
      const now = this.#now();
      const tokens: UserTokens = {
        procoreUserId: stored.procoreUserId,
        accessToken: res.access_token,
        // Procore always rotates (§1.3); keep the old one only if a server ever does not.
        refreshToken: res.refresh_token ?? stored.refreshToken,
        expiresAt: new Date(now + res.expires_in * 1000),
        storedAt: new Date(now),
      };
      await saveUserTokens(trx, this.#keyring, companyId, tokens, tokens.storedAt);
      return { kind: 'ok', tokens } as const;
    });
    // Committed: only now is the new pair safe to use.
    if (outcome.kind === 'ok') return this.#remember(companyId, outcome.tokens);
    if (outcome.kind === 'refused') throw outcome.error;
    throw notConnected();
  }

  /** Stores the pair from the connect flow (authorization code exchange). */
  async saveUserTokens(
    companyId: string,
    procoreUserId: string | null,
    res: Pick<ProcoreTokenResponse, 'access_token' | 'refresh_token' | 'expires_in'>,
  ): Promise<void> {
    const now = this.#now();
    const tokens: UserTokens = {
      procoreUserId,
      accessToken: res.access_token,
      refreshToken: res.refresh_token ?? null,
      expiresAt: new Date(now + res.expires_in * 1000),
      storedAt: new Date(now),
    };
    await saveUserTokens(this.#db, this.#keyring, companyId, tokens, tokens.storedAt);
    this.#remember(companyId, tokens);
  }

  /** Disconnect: revoke at Procore (access and refresh token, §1.2) and forget them here. */
  async revokeUserTokens(companyId: string): Promise<void> {
    const stored = await loadUserTokens(this.#db, this.#keyring, companyId);
    this.#user.delete(companyId);
    if (stored) {
      // Revoking the refresh token revokes its access token too; fall back to the access token.
      await this.#oauth.revoke(stored.refreshToken ?? stored.accessToken, companyId);
    }
    await deleteUserTokens(this.#db, companyId);
  }

  /**
   * Disconnect: revokes the company's service-account token (§1.2), the one stored for every
   * process and the one this process holds if it differs, and forgets it, so nothing issued for
   * the company is left usable. A pending fetch is awaited first, so a token arriving just now
   * is revoked too.
   */
  async revokeServiceToken(companyId: string): Promise<void> {
    await this.#servicePending.get(companyId)?.catch(() => undefined);
    const cached = this.#service.get(companyId);
    this.#service.delete(companyId);
    const stored = await this.#loadServiceToken(this.#db, companyId);
    await deleteServiceToken(this.#db, companyId);
    const tokens = new Set([cached?.accessToken, stored?.accessToken].filter((t): t is string => !!t));
    for (const token of tokens) await this.#oauth.revoke(token, companyId);
  }

  /** Drops this process's copy of the company's service token (after an uninstall, or in tests). */
  forgetServiceToken(companyId: string): void {
    this.#service.delete(companyId);
  }

  /**
   * The app was uninstalled (§1.4): Procore already invalidated what it issued, so nothing is
   * revoked; every token of the company is forgotten here and in the database.
   */
  async forgetCompany(companyId: string): Promise<void> {
    this.#service.delete(companyId);
    this.#user.delete(companyId);
    await deleteUserTokens(this.#db, companyId);
    await deleteServiceToken(this.#db, companyId);
  }

  #fresh(tokens: { expiresAt: Date; storedAt: Date }): boolean {
    const lifetime = Math.max(0, tokens.expiresAt.getTime() - tokens.storedAt.getTime());
    return this.#now() < renewAt(tokens.expiresAt.getTime(), lifetime);
  }

  #remember(companyId: string, tokens: UserTokens): string {
    const lifetime = Math.max(0, tokens.expiresAt.getTime() - tokens.storedAt.getTime());
    this.#user.set(companyId, {
      accessToken: tokens.accessToken,
      renewAt: renewAt(tokens.expiresAt.getTime(), lifetime),
    });
    return tokens.accessToken;
  }
}

/** Stored tokens sealed with a key this APP_SECRET lacks cannot be used: the company reconnects. */
async function loadUserTokens(...args: Parameters<typeof loadStored>): ReturnType<typeof loadStored> {
  try {
    return await loadStored(...args);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    throw new ProcoreUnauthorizedError(
      "The company's saved Procore sign-in cannot be read with this server's APP_SECRET (was it changed?). A company admin needs to reconnect the app.",
      {},
      { cause: error },
    );
  }
}

function signInRefused(): ProcoreUnauthorizedError {
  return new ProcoreUnauthorizedError(
    "Procore no longer accepts the company's saved sign-in (it was refused earlier). A company admin needs to reconnect the app.",
  );
}

function notConnected(): ProcoreUnauthorizedError {
  return new ProcoreUnauthorizedError(
    'This company has no saved Procore sign-in (it was never connected, or was disconnected). A company admin needs to connect the app.',
  );
}
