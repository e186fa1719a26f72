import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/database';
import type { CompanySession, ProcoreClient } from '../procore/client';
import { isProcoreError } from '../procore/errors';
import { companyProcore } from './company-access';
import type {
  BackgroundAccess,
  ConnectGateway,
  ProcoreCompanyRef,
  ProcoreMe,
  UserTokens,
} from './connect.gateway';

/** One namespace for all our hooks, across companies (procore-api.md §6.1). */
export const WEBHOOK_NAMESPACE = 'procore-worker-sync';
const USER_EVENTS = ['create', 'update', 'delete'] as const;
export const COMPANY_USERS_RESOURCE = 'Company Users';

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
export const ADMIN_TEMPLATE = /\badmin\b/i;

/**
 * Creates whichever of the hook's Company Users create/update/delete triggers are missing, and
 * says which were (design.md flow 1; procore-api.md §6.1).
 */
export async function ensureUserTriggers(procore: CompanySession, hookId: string): Promise<string[]> {
  const triggers = await procore.listTriggers(hookId).toArray();
  const missing = USER_EVENTS.filter(
    (event) =>
      !triggers.some(
        (t) => t.resource_name === COMPANY_USERS_RESOURCE && t.event_type.toLowerCase() === event,
      ),
  );
  if (missing.length > 0) {
    await procore.createTriggers(
      hookId,
      missing.map((event_type) => ({ resource_name: COMPANY_USERS_RESOURCE, event_type })),
    );
  }
  return missing;
}

export function createConnectGateway(
  client: ProcoreClient,
  db: Kysely<Database>,
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

    async exchangeCode(code, redirectUri): Promise<UserTokens> {
      const res = await client.oauth.exchangeCode(code, redirectUri);
      return {
        accessToken: res.access_token,
        refreshToken: res.refresh_token ?? null,
        expiresIn: res.expires_in,
      };
    },

    async me(accessToken): Promise<ProcoreMe> {
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
        if (isProcoreError(err) && ['unauthorized', 'not_connected', 'forbidden'].includes(err.code)) {
          return { mode: 'user_token' };
        }
        throw err;
      }
    },

    async ensureWebhook(companyId, { destinationUrl, authorization }) {
      const procore = await companyProcore(client, db, companyId);
      const ours = await procore.listHooks({ namespace: WEBHOOK_NAMESPACE }).toArray();
      const [keep, ...extra] = ours;
      for (const hook of extra) await procore.deleteHook(hook.id);
      const hook = keep
        ? await procore.updateHook(keep.id, {
            destinationUrl,
            authorization,
            payloadVersion: 'v4.0',
            status: 'active',
          })
        : await procore.createHook({
            namespace: WEBHOOK_NAMESPACE,
            destinationUrl,
            authorization,
            payloadVersion: 'v4.0',
          });
      await ensureUserTriggers(procore, hook.id);
      return { hookId: hook.id };
    },

    async deleteWebhook(companyId, hookId) {
      const procore = await companyProcore(client, db, companyId);
      await procore.deleteHook(hookId);
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
