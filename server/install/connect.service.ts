import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CompaniesService } from '../companies/companies.service';
import type { Database } from '../db/database';
import { ensureSettings } from '../settings/settings.service';
import type { HooksService } from '../webhooks/hooks.service';
import type { ConnectGateway } from './connect.gateway';

/** A sign-in the app refuses, with a message the person in the popup can act on. */
export class ConnectRefused extends Error {
  constructor(
    readonly code: 'company_not_visible' | 'admin_required',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectRefused';
  }
}

export interface ConnectDeps {
  db: Kysely<Database>;
  log: FastifyBaseLogger;
  gateway: ConnectGateway;
  companies: Pick<CompaniesService, 'find' | 'saveConnected'>;
  hooks: Pick<HooksService, 'register' | 'check'>;
}

export interface SignedIn {
  companyId: string;
  procoreUserId: string;
  userName: string;
  isAdmin: boolean;
}

/**
 * The callback's work (design.md flows 1 and 2): who the user is and which companies they can see,
 * read with the user's own token (procore-app.md §3.4: "Resolve companies and projects as the user,
 * not the service account"); then, for a company not yet connected, the company's connection.
 */
export async function completeSignIn(
  deps: ConnectDeps,
  input: { code: string; redirectUri: string; companyId: string },
): Promise<SignedIn> {
  const { gateway, companies } = deps;
  const tokens = await gateway.exchangeCode(input.code, input.redirectUri);
  let keepTokens = false;
  try {
    const me = await gateway.me(tokens.accessToken);
    const visible = await gateway.companies(tokens.accessToken);
    const company = visible.find((c) => c.id === input.companyId);
    if (!company) {
      throw new ConnectRefused(
        'company_not_visible',
        `Your Procore account (${me.login}) is not a member of company ${input.companyId}. Sign in with an account of that company.`,
      );
    }
    const isAdmin = await gateway.isCompanyAdmin(tokens.accessToken, company.id, me);
    const existing = await companies.find(company.id);
    if (existing?.connection_state !== 'connected') {
      if (!isAdmin) {
        throw new ConnectRefused(
          'admin_required',
          `Worker Sync is not connected to ${company.name} yet. A Procore company admin has to connect it first.`,
        );
      }
      const access = await gateway.backgroundAccess(company.id);
      await companies.saveConnected({
        id: company.id,
        name: company.name,
        connectedByUserId: me.id,
        connectedByName: me.name,
        accessMode: access.mode,
        serviceAccountUserId: access.mode === 'service_account' ? access.serviceUserId : null,
      });
      if (access.mode === 'user_token') {
        await gateway.saveUserTokens(company.id, me.id, tokens);
        keepTokens = true;
      }
      await ensureSettings(deps.db, company.id);
      await deps.hooks.register(company.id);
      deps.log.info({ companyId: company.id, accessMode: access.mode }, 'company connected');
    } else if (isAdmin) {
      // An admin opening the app is a good moment to make sure Procore still has our hook; a
      // failure here must not keep them out (the hourly check tries again).
      await deps.hooks.check(company.id).catch((err: unknown) => {
        deps.log.warn({ err, companyId: company.id }, 'could not check the webhook hook at sign-in');
      });
    }
    return { companyId: company.id, procoreUserId: me.id, userName: me.name, isAdmin };
  } finally {
    // A sign-in that does not become the company's background access leaves no token behind.
    if (!keepTokens) await gateway.revokeToken(tokens.accessToken).catch(() => {});
  }
}
