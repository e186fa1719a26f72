import type { MeResponse, SessionResponse } from '../server/install/connection.schemas';
import { request } from './lib/request';

/**
 * One function per endpoint, over the single `request()` (style.md rule 19). Types come from the
 * server's zod schemas.
 */
export function createApi(companyId: string, token: () => string | null) {
  const base = `/api/companies/${companyId}`;
  return {
    me: () => request<MeResponse>(`${base}/me`, { token: token() }),
    disconnect: () =>
      request<MeResponse['connection']>(`${base}/connection`, { method: 'DELETE', token: token() }),
  };
}

export type Api = ReturnType<typeof createApi>;

export function exchangeHandoff(code: string): Promise<SessionResponse> {
  return request<SessionResponse>('/auth/session', { method: 'POST', body: { code } });
}
