import { z } from 'zod';
import type { ProcoreClient } from '../procore/client';
import { classifyFailure } from '../procore/failure-policy';
import type {
  BackgroundAccess,
  ConnectGateway,
  ProcoreCompanyRef,
  SignInTokens,
  SignInUser,
} from './connect.gateway';

/**
 * Procore has no "is admin" flag. A company user's list record carries its company permission
 * template (procore-api.md §2.2, `company_permission_template {id, name, type}`), and company admin
 * rights come from that template; Worker Sync treats a template whose name says "Admin" as a
 * company admin (README, "Who may do what").
 */
const permissionHolder = z.looseObject({
  id: z.union([z.number(), z.string()]).transform(String),
  company_permission_template: z.looseObject({ name: z.string().nullish() }).nullish(),
});
const ADMIN_TEMPLATE = /\badmin\b/i;

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

    async isCompanyAdmin(accessToken, companyId, me) {
      const users = client
        .withAccessToken(accessToken)
        .forCompany(companyId)
        .listCompanyUsers({ search: me.login });
      for await (const user of users) {
        const parsed = permissionHolder.safeParse(user);
        if (parsed.success && parsed.data.id === me.id) {
          return ADMIN_TEMPLATE.test(parsed.data.company_permission_template?.name ?? '');
        }
      }
      return false;
    },

    async backgroundAccess(companyId): Promise<BackgroundAccess> {
      try {
        // With client credentials, "me" is the app's own service-account user (procore-api.md §1.4).
        const me = await client.forCompany(companyId, { auth: 'service' }).companyMe();
        return { mode: 'service_account', serviceUserId: me.id };
      } catch (err) {
        // No service account access in this company: the connecting admin's token is used instead.
        if (['uninstalled', 'access'].includes(classifyFailure(err).kind)) {
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
      await client.tokens.revokeUserTokens(companyId);
    },
  };
}
