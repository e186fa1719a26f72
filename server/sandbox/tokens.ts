import { opaqueToken } from './ids';
import type { AccessToken } from './model';
import type { SandboxState } from './state';

/** The token response body (procore-api.md §1.2, §10.6: `expires_in` and `created_at` integers). */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token?: string;
  created_at: number;
}

function issue(
  state: SandboxState,
  kind: AccessToken['kind'],
  userId: number | null,
  lifetimeSeconds?: number,
) {
  const now = state.now();
  const lifetime = lifetimeSeconds ?? state.settings.tokenLifetimeSeconds;
  const access: AccessToken = {
    token: opaqueToken(),
    kind,
    userId,
    clientId: state.settings.clientId,
    createdAt: now,
    expiresAt: now + lifetime * 1000,
    revoked: false,
    refreshToken: null,
  };
  state.accessTokens.set(access.token, access);
  return { access, lifetime, created_at: Math.floor(now / 1000) };
}

/** A user token with a fresh single-use refresh token (authorization code or refresh grant). */
export function issueUserToken(state: SandboxState, userId: number, lifetimeSeconds?: number): TokenResponse {
  const { access, lifetime, created_at } = issue(state, 'user', userId, lifetimeSeconds);
  const refresh = opaqueToken();
  access.refreshToken = refresh;
  state.refreshTokens.set(refresh, {
    token: refresh,
    userId,
    clientId: access.clientId,
    accessToken: access.token,
    used: false,
  });
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: lifetime,
    refresh_token: refresh,
    created_at,
  };
}

/** A client-credentials (service account) token: no refresh token (procore-api.md §1.2). */
export function issueServiceToken(state: SandboxState, lifetimeSeconds?: number): TokenResponse {
  const { access, lifetime, created_at } = issue(state, 'service_account', null, lifetimeSeconds);
  return { access_token: access.token, token_type: 'bearer', expires_in: lifetime, created_at };
}

/** `/oauth/revoke`: revokes the access token and its refresh token, whichever was given (§1.2). */
export function revokeToken(state: SandboxState, token: string): void {
  const access = state.accessTokens.get(token);
  const refresh =
    state.refreshTokens.get(token) ??
    (access?.refreshToken ? state.refreshTokens.get(access.refreshToken) : undefined);
  if (access) access.revoked = true;
  if (refresh) {
    refresh.used = true;
    const paired = state.accessTokens.get(refresh.accessToken);
    if (paired) paired.revoked = true;
  }
}
