import { ProcoreBadRequestError, ProcoreUnauthorizedError } from './errors';
import type { ProcoreHttp } from './http';
import {
  oauthErrorSchema,
  type ProcoreTokenInfo,
  type ProcoreTokenResponse,
  parseWith,
  tokenInfoSchema,
  tokenResponseSchema,
} from './schemas';

/**
 * Procore's OAuth endpoints on the login host (procore-api.md §1.2). Form fields, as Procore's
 * examples send them (§10.6). A token request is a POST that spends what it is given (a code,
 * a refresh token: §1.3 "any refresh call, successful or not, invalidates the current refresh
 * token"), so http.ts never resends it after it may have arrived.
 */

export interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
}

/** RFC 6749 §5.2 codes meaning "this grant is dead": the company must reconnect. */
const DEAD_GRANT = new Set(['invalid_grant', 'invalid_token', 'unauthorized_client']);

export class ProcoreOAuth {
  constructor(
    private readonly http: ProcoreHttp,
    private readonly credentials: OAuthCredentials,
  ) {}

  /** The connect flow's code → token pair (§1.2, authorization_code). */
  exchangeCode(code: string, redirectUri: string, signal?: AbortSignal): Promise<ProcoreTokenResponse> {
    return this.#token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, signal);
  }

  /** Spends `refreshToken` for a new pair (§1.3). Store the result before using it. */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<ProcoreTokenResponse> {
    return this.#token({ grant_type: 'refresh_token', refresh_token: refreshToken }, signal);
  }

  /** A service-account (DMSA) token: client credentials, no refresh token (§1.2, §1.4). */
  clientCredentials(signal?: AbortSignal): Promise<ProcoreTokenResponse> {
    return this.#token({ grant_type: 'client_credentials' }, signal);
  }

  /** Revokes the token and, for a user token, its refresh token too (§1.2). 200 even when unknown. */
  async revoke(token: string, companyId?: string, signal?: AbortSignal): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: '/oauth/revoke',
      form: { token, client_id: this.credentials.clientId, client_secret: this.credentials.clientSecret },
      // The OAS marks the header required here (§10.12); harmless where it is not.
      companyId,
      // Revoking twice is harmless, so a lost answer may be resent.
      idempotent: true,
      signal,
    });
  }

  async tokenInfo(accessToken: string, signal?: AbortSignal): Promise<ProcoreTokenInfo> {
    const res = await this.http.request(
      { method: 'GET', path: '/oauth/token/info', signal },
      { rateKey: 'oauth', accessToken: async () => accessToken, renew: async () => undefined },
    );
    return parseWith(tokenInfoSchema, res.body, {
      label: 'token info',
      method: 'GET',
      path: '/oauth/token/info',
    });
  }

  async #token(fields: Record<string, string>, signal?: AbortSignal): Promise<ProcoreTokenResponse> {
    const path = '/oauth/token';
    const res = await this.http.request({
      method: 'POST',
      path,
      form: { ...fields, client_id: this.credentials.clientId, client_secret: this.credentials.clientSecret },
      passStatuses: [400, 401],
      signal,
    });
    if (res.status === 200 || res.status === 201) {
      return parseWith(tokenResponseSchema, res.body, { label: 'token response', method: 'POST', path });
    }
    const body = oauthErrorSchema.safeParse(res.body);
    const code = body.success ? body.data.error : 'unknown_error';
    const details = { method: 'POST', path, status: res.status };
    if (code === 'invalid_client') {
      throw new ProcoreUnauthorizedError(
        "Procore refused this app's credentials (invalid_client): check PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET.",
        details,
      );
    }
    if (DEAD_GRANT.has(code) || res.status === 401) {
      throw new ProcoreUnauthorizedError(
        fields.grant_type === 'refresh_token'
          ? "Procore no longer accepts the company's saved sign-in (the refresh token is invalid or was revoked). A company admin needs to reconnect the app."
          : `Procore refused the sign-in (${code}). Please try connecting again.`,
        details,
      );
    }
    throw new ProcoreBadRequestError(`Procore refused the token request (${code}).`, details);
  }
}
