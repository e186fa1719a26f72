import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { DecryptionError, type Keyring } from '../security/encryption';
import { ProcoreUnauthorizedError } from './errors';
import type { AuthSource } from './http';
import type { ProcoreOAuth } from './oauth';
import type { ProcoreTokenResponse } from './schemas';
import {
  deleteUserTokens,
  loadUserTokens as loadStored,
  lockUserTokens,
  markUserTokensDead,
  saveUserTokens,
  type UserTokens,
} from './token-store';

/**
 * Access tokens for Procore calls (procore-api.md §1.2–§1.4, design.md flow 2).
 *
 * Service account (DMSA): a client-credentials token per company, in memory only (it is cheap to
 * get again), renewed `RENEW_MARGIN` before it expires and fetched once by concurrent callers.
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
      renew: async (rejected) => {
        if (this.#service.get(companyId)?.accessToken === rejected) this.#service.delete(companyId);
        return (await this.#serviceToken(companyId)).accessToken;
      },
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

  #serviceToken(companyId: string): Promise<CachedToken> {
    const cached = this.#service.get(companyId);
    if (cached && this.#now() < cached.renewAt) return Promise.resolve(cached);
    let pending = this.#servicePending.get(companyId);
    if (!pending) {
      pending = (async () => {
        const started = this.#now();
        const res = await this.#oauth.clientCredentials();
        const token = {
          accessToken: res.access_token,
          renewAt: renewAt(started + res.expires_in * 1000, res.expires_in * 1000),
        };
        this.#service.set(companyId, token);
        return token;
      })().finally(() => this.#servicePending.delete(companyId));
      this.#servicePending.set(companyId, pending);
    }
    return pending;
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
   * Disconnect: revokes the service-account token this process holds for the company (§1.2) and
   * forgets it, so nothing issued for the company is left usable. A pending fetch is awaited
   * first, so a token arriving just now is revoked too.
   */
  async revokeServiceToken(companyId: string): Promise<void> {
    await this.#servicePending.get(companyId)?.catch(() => undefined);
    const cached = this.#service.get(companyId);
    this.#service.delete(companyId);
    if (cached) await this.#oauth.revoke(cached.accessToken, companyId);
  }

  /** Drops cached service tokens (after an uninstall, or in tests). */
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
  }

  #fresh(tokens: UserTokens): boolean {
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
