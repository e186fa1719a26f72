/**
 * What the connect flow needs from Procore, kept narrow so the flow reads as the steps of
 * design.md flow 1 and 2. Implemented over the Procore client in `procore-connect.gateway.ts`.
 */
export interface UserTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Seconds, as Procore says (procore-api.md §1.3: use `expires_in`, do not assume 5400). */
  expiresIn: number;
}

export interface ProcoreMe {
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

export interface HookRegistration {
  hookId: string;
}

export interface ConnectGateway {
  authorizeUrl(params: { state: string; redirectUri: string }): string;
  exchangeCode(code: string, redirectUri: string): Promise<UserTokens>;
  me(accessToken: string): Promise<ProcoreMe>;
  /** The companies the signed-in user can see (with the user's own token). */
  companies(accessToken: string): Promise<ProcoreCompanyRef[]>;
  /** Whether the signed-in user is a company admin in Procore (README, "Who may do what"). */
  isCompanyAdmin(accessToken: string, companyId: string, me: ProcoreMe): Promise<boolean>;
  /** Service account (DMSA) when the app is installed with one, else the connecting admin's token. */
  backgroundAccess(companyId: string): Promise<BackgroundAccess>;
  /**
   * Makes sure the company has exactly one hook of ours, pointed at `destinationUrl` with the
   * given Authorization secret and Company Users create/update/delete triggers.
   */
  ensureWebhook(
    companyId: string,
    params: { destinationUrl: string; authorization: string },
  ): Promise<HookRegistration>;
  deleteWebhook(companyId: string, hookId: string): Promise<void>;
  revokeToken(token: string): Promise<void>;
  /** Stores the connecting admin's tokens, encrypted, for background access without a service account. */
  saveUserTokens(companyId: string, procoreUserId: string, tokens: UserTokens): Promise<void>;
  /** Revokes and deletes every stored token of the company. */
  forgetTokens(companyId: string): Promise<void>;
}
