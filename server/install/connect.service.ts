import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { notAdminMessage } from '../auth/company-access';
import type { GrantInput } from '../auth/sessions.service';
import type { CompaniesService } from '../companies/companies.service';
import type { AdminRule, Database } from '../db/database';
import { classifyFailure } from '../procore/failure-policy';
import { ensureSettings } from '../settings/settings.service';
import type { HooksService } from '../webhooks/hooks.service';
import type { ConnectGateway, ProcoreCompanyRef } from './connect.gateway';

/** A sign-in the app refuses, with a message the person in the popup (and the frame) can act on. */
export class ConnectRefused extends Error {
  constructor(
    readonly code: 'company_not_visible' | 'admin_required' | 'not_installed',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectRefused';
  }
}

function notInstalledMessage(companyName: string): string {
  return `Worker Sync is not installed in ${companyName}. A company admin has to install it from the Procore App Marketplace first; then connect it here.`;
}

export interface ConnectDeps {
  db: Kysely<Database>;
  log: FastifyBaseLogger;
  gateway: ConnectGateway;
  companies: Pick<CompaniesService, 'find' | 'saveConnected' | 'noteProcoreFailure'>;
  hooks: Pick<HooksService, 'register' | 'check'>;
}

export interface SignedIn {
  companyId: string;
  procoreUserId: string;
  userName: string;
  /** The person's Procore login (`/me`): their e-mail, where alert e-mails go for an admin. */
  login: string;
  isAdmin: boolean;
  adminRule: AdminRule;
  /**
   * How the sign-in reaches Procore as the person later (to re-check their access at renewal):
   * its own tokens, or the company's stored ones when this sign-in became the background access.
   */
  grant: GrantInput;
}

/**
 * The callback's work (design.md flows 1 and 2): who the user is and which companies they can see,
 * read with the user's own token (procore-app.md §3.4: "Resolve companies and projects as the user,
 * not the service account"); what Procore lets them do in the company; then, for a company not yet
 * connected, the company's connection.
 */
export async function completeSignIn(
  deps: ConnectDeps,
  input: { code: string; redirectUri: string; companyId: string },
): Promise<SignedIn> {
  const { gateway, companies, log } = deps;
  const tokens = await gateway.exchangeCode(input.code, input.redirectUri);
  let handedOver = false;
  let keptByCompany = false;
  let company: ProcoreCompanyRef | undefined;
  try {
    const me = await gateway.me(tokens.accessToken);
    const visible = await gateway.companies(tokens.accessToken);
    company = visible.find((c) => c.id === input.companyId);
    if (!company) {
      throw new ConnectRefused(
        'company_not_visible',
        `You're signed in to Procore as ${me.name} (${me.login}), who is not a member of company ${input.companyId}. Sign in with an account of that company.`,
      );
    }
    const access = await gateway.companyAccess(tokens.accessToken, company.id, me, log);
    const existing = await companies.find(company.id);
    let grant: GrantInput = {
      kind: 'own',
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
    };
    if (existing?.connection_state !== 'connected') {
      if (!access.isAdmin) {
        throw new ConnectRefused('admin_required', notAdminMessage(me.name, access));
      }
      const background = await gateway.backgroundAccess(company.id);
      await companies.saveConnected({
        id: company.id,
        name: company.name,
        connectedByUserId: me.id,
        connectedByName: me.name,
        accessMode: background.mode,
        serviceAccountUserId: background.mode === 'service_account' ? background.serviceUserId : null,
      });
      if (background.mode === 'user_token') {
        // These tokens become the company's; the session reaches Procore through them too, so one
        // refresh token is never spent by two owners.
        await gateway.saveUserTokens(company.id, me.id, tokens);
        keptByCompany = true;
        grant = { kind: 'company' };
      }
      await ensureSettings(deps.db, company.id);
      await deps.hooks.register(company.id);
      log.info(
        { companyId: company.id, accessMode: background.mode, rule: access.rule },
        'company connected',
      );
    } else if (access.isAdmin) {
      // An admin opening the app is a good moment to make sure Procore still has our hook; a
      // failure here must not keep them out (the hourly check tries again).
      await deps.hooks.check(company.id).catch((err: unknown) => {
        log.warn({ err, companyId: company?.id }, 'could not check the webhook hook at sign-in');
      });
    }
    handedOver = true;
    return {
      companyId: company.id,
      procoreUserId: me.id,
      userName: me.name,
      login: me.login,
      isAdmin: access.isAdmin,
      adminRule: access.rule,
      grant,
    };
  } catch (err) {
    if (company && classifyFailure(err).kind === 'uninstalled') {
      // Procore's 403 "App is not connected to this company": nothing to reach, say how to fix it.
      await companies.noteProcoreFailure(company.id, err);
      log.info({ companyId: company.id }, 'connect refused: the app is not installed in the company');
      throw new ConnectRefused('not_installed', notInstalledMessage(company.name));
    }
    if (err instanceof ConnectRefused) {
      log.info({ companyId: input.companyId, code: err.code }, 'connect refused');
    }
    throw err;
  } finally {
    // A refused or failed sign-in leaves no token behind; a good one hands them to its session.
    if (!handedOver && !keptByCompany) await gateway.revokeToken(tokens.accessToken).catch(() => {});
  }
}
