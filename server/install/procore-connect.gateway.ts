import { readCompanyAccess } from '../auth/company-access';
import type { ProcoreClient } from '../procore/client';
import { classifyFailure } from '../procore/failure-policy';
import type {
  BackgroundAccess,
  ConnectGateway,
  ProcoreCompanyRef,
  SignInTokens,
  SignInUser,
} from './connect.gateway';

export function createConnectGateway(
  client: ProcoreClient,
  config: { loginUrl: string; clientId: string },
): ConnectGateway {
  return {
    authorizeUrl({ state, redirectUri }) {
      const url = new URL('/oauth/authorize', config.loginUrl);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: redirectUri,
        state,
      }).toString();
      return url.toString();
    },

    async exchangeCode(code, redirectUri): Promise<SignInTokens> {
      const res = await client.oauth.exchangeCode(code, redirectUri);
      return {
        accessToken: res.access_token,
        refreshToken: res.refresh_token ?? null,
        expiresIn: res.expires_in,
      };
    },

    async me(accessToken): Promise<SignInUser> {
      const me = await client.withAccessToken(accessToken).me();
      return { id: me.id, name: me.name ?? me.login ?? `Procore user ${me.id}`, login: me.login ?? '' };
    },

    async companies(accessToken): Promise<ProcoreCompanyRef[]> {
      const all = await client.withAccessToken(accessToken).companies().toArray();
      return all.map((c) => ({ id: c.id, name: c.name }));
    },

    companyAccess(accessToken, companyId, me, log) {
      return readCompanyAccess(client.withAccessToken(accessToken).forCompany(companyId), me, log);
    },

    async backgroundAccess(companyId): Promise<BackgroundAccess> {
      try {
        // With client credentials, "me" is the app's own service-account user (procore-api.md §1.4).
        const me = await client.forCompany(companyId, { auth: 'service' }).companyMe();
        return { mode: 'service_account', serviceUserId: me.id };
      } catch (err) {
        // No service account access in this company: the connecting admin's token is used instead.
        // "App is not connected" is not that: the app is not installed, and nothing can be used.
        if (classifyFailure(err).kind === 'access') {
          return { mode: 'user_token' };
        }
        throw err;
      }
    },

    async revokeToken(token) {
      await client.oauth.revoke(token);
    },

    async saveUserTokens(companyId, procoreUserId, tokens) {
      await client.tokens.saveUserTokens(companyId, procoreUserId, {
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        expires_in: tokens.expiresIn,
      });
    },

    async forgetTokens(companyId) {
      // Both, even when one fails: a token left alive is what Disconnect must not leave.
      const results = await Promise.allSettled([
        client.tokens.revokeUserTokens(companyId),
        client.tokens.revokeServiceToken(companyId),
      ]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
