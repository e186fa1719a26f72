import { z } from 'zod';
import { procoreId } from './common';

/** OAuth responses (procore-api.md §1.2, §10.6). */

/** `POST /oauth/token`; client credentials answer without `refresh_token` (§1.2). */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  expires_in: z.coerce.number().int().positive(),
  refresh_token: z.string().min(1).nullish(),
  created_at: z.coerce.number().int().nullish(),
});
export type ProcoreTokenResponse = z.output<typeof tokenResponseSchema>;

/** `GET /oauth/token/info`. */
export const tokenInfoSchema = z.looseObject({
  resource_owner_id: procoreId.nullable(),
  scopes: z.array(z.string()).nullish(),
  expires_in_seconds: z.number().int().nullable(),
  application: z.looseObject({ uid: z.string().nullish() }).nullish(),
  created_at: z.number().int().nullish(),
});
export type ProcoreTokenInfo = z.output<typeof tokenInfoSchema>;

/** `POST /oauth/token` failure (RFC 6749 §5.2); Procore says "The refresh token is invalid" (§10.5). */
export const oauthErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().nullish(),
});
