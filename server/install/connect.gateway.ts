import type { FastifyBaseLogger } from 'fastify';
import type { CompanyAccess } from '../auth/company-access';

/**
 * What the connect flow needs from Procore, kept narrow so the flow reads as the steps of
 * design.md flow 1 and 2. Implemented over the Procore client in `procore-connect.gateway.ts`.
 */
export interface SignInTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Seconds, as Procore says (procore-api.md §1.3: use `expires_in`, do not assume 5400). */
  expiresIn: number;
}

export interface SignInUser {
  id: string;
  name: string;
  login: string;
}

export interface ProcoreCompanyRef {
  id: string;
  name: string;
}

export type BackgroundAccess =
  | { mode: 'service_account'; serviceUserId: string | null }
  | { mode: 'user_token' };

export interface ConnectGateway {
  authorizeUrl(params: { state: string; redirectUri: string }): string;
  exchangeCode(code: string, redirectUri: string): Promise<SignInTokens>;
  me(accessToken: string): Promise<SignInUser>;
  /** The companies the signed-in user can see (with the user's own token). */
  companies(accessToken: string): Promise<ProcoreCompanyRef[]>;
  /**
   * What Procore lets the signed-in user do in the company, and whether that makes a company admin
   * (server/auth/company-access.ts; README, "Who may do what"). Logs the rule that decided.
   */
  companyAccess(
    accessToken: string,
    companyId: string,
    me: SignInUser,
    log: FastifyBaseLogger,
  ): Promise<CompanyAccess>;
  /**
   * Service account (DMSA) when the app is installed with one, else the connecting admin's token.
   * Throws Procore's "App is not connected" when the app is not installed in the company.
   */
  backgroundAccess(companyId: string): Promise<BackgroundAccess>;
  revokeToken(token: string): Promise<void>;
  /** Stores the connecting admin's tokens, encrypted, for background access without a service account. */
  saveUserTokens(companyId: string, procoreUserId: string, tokens: SignInTokens): Promise<void>;
  /** Revokes and deletes every token the app holds for the company: the admin's and the service account's. */
  forgetTokens(companyId: string): Promise<void>;
}
