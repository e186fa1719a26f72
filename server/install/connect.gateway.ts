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
  /** Whether the signed-in user is a company admin in Procore (README, "Who may do what"). */
  isCompanyAdmin(accessToken: string, companyId: string, me: SignInUser): Promise<boolean>;
  /** Service account (DMSA) when the app is installed with one, else the connecting admin's token. */
  backgroundAccess(companyId: string): Promise<BackgroundAccess>;
  revokeToken(token: string): Promise<void>;
  /** Stores the connecting admin's tokens, encrypted, for background access without a service account. */
  saveUserTokens(companyId: string, procoreUserId: string, tokens: SignInTokens): Promise<void>;
  /** Revokes and deletes every stored token of the company. */
  forgetTokens(companyId: string): Promise<void>;
}
