import type {
  EntryList,
  EntryQuery,
  MeResponse,
  PositionList,
  Preview,
  RunList,
  RunResponse,
  SessionResponse,
  SettingsPatch,
  SyncSettings,
  WorkerList,
  WorkerQuery,
} from './api-types';
import { request, requestFile } from './lib/request';

/**
 * One function per endpoint, over the single `request()` (style.md rule 19). Types come from the
 * server's zod schemas (`api-types.ts` re-exports them).
 */
export function createApi(companyId: string, token: () => string | null) {
  const base = `/api/companies/${companyId}`;
  const auth = () => ({ token: token() });
  return {
    me: () => request<MeResponse>(`${base}/me`, auth()),
    disconnect: () =>
      request<MeResponse['connection']>(`${base}/connection`, { method: 'DELETE', ...auth() }),

    listRuns: (page: { cursor?: string; limit?: number } = {}) =>
      request<RunList>(`${base}/syncs`, { query: { ...page }, ...auth() }),
    getRun: (runId: string) => request<RunResponse>(`${base}/syncs/${runId}`, auth()),
    startSync: () => request<RunResponse>(`${base}/syncs`, { method: 'POST', body: {}, ...auth() }),
    previewSync: () => request<Preview>(`${base}/syncs/preview`, { method: 'POST', body: {}, ...auth() }),
    listEntries: (runId: string, query: EntryQuery) =>
      request<EntryList>(`${base}/syncs/${runId}/entries`, { query: { ...query }, ...auth() }),
    downloadLog: (runId: string) => requestFile(`${base}/syncs/${runId}/log.txt`, auth()),
    confirmRun: (runId: string) =>
      request<RunResponse>(`${base}/syncs/${runId}/confirm`, { method: 'POST', body: {}, ...auth() }),
    cancelRun: (runId: string) =>
      request<RunResponse>(`${base}/syncs/${runId}/cancel`, { method: 'POST', body: {}, ...auth() }),

    getSettings: () => request<SyncSettings>(`${base}/settings`, auth()),
    updateSettings: (patch: SettingsPatch) =>
      request<SyncSettings>(`${base}/settings`, { method: 'PATCH', body: patch, ...auth() }),

    listPositions: () => request<PositionList>(`${base}/positions`, auth()),
    listWorkers: (query: WorkerQuery) =>
      request<WorkerList>(`${base}/workers`, { query: { ...query }, ...auth() }),
  };
}

export type Api = ReturnType<typeof createApi>;

export function exchangeHandoff(code: string): Promise<SessionResponse> {
  return request<SessionResponse>('/auth/session', { method: 'POST', body: { code } });
}

/**
 * A fresh session token from the sign-in's refresh handle: the one in sessionStorage when the
 * frame has storage, else the partitioned cookie the browser sends by itself.
 */
export function renewSession(companyId: string, handle: string | undefined): Promise<SessionResponse> {
  return request<SessionResponse>('/auth/session/renew', {
    method: 'POST',
    body: handle ? { companyId, handle } : { companyId },
  });
}
