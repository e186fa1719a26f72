import type {
  AlertList,
  Connection,
  CostCodeList,
  DirectoryLink,
  EntryList,
  EntryQuery,
  MeResponse,
  Position,
  PositionList,
  Preview,
  ProjectList,
  RunList,
  RunListQuery,
  RunResponse,
  SendEntry,
  SendEntryQuery,
  SendRun,
  SessionResponse,
  SettingsPatch,
  SyncSettings,
  Timesheet,
  TimesheetInput,
  TimesheetPatch,
  Worker,
  WorkerHistory,
  WorkerInput,
  WorkerList,
  WorkerPatch,
  WorkerQuery,
  WorkerTotals,
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
    repairWebhook: () =>
      request<Connection>(`${base}/connection/webhook`, { method: 'POST', body: {}, ...auth() }),
    alerts: () => request<AlertList>(`${base}/alerts`, auth()),

    listRuns: (page: RunListQuery = {}) =>
      request<RunList>(`${base}/syncs`, { query: { ...page }, ...auth() }),
    getRun: (runId: string) => request<RunResponse>(`${base}/syncs/${runId}`, auth()),
    startSync: () => request<RunResponse>(`${base}/syncs`, { method: 'POST', body: {}, ...auth() }),
    previewSync: () => request<Preview>(`${base}/syncs/preview`, { method: 'POST', body: {}, ...auth() }),
    listEntries: (runId: string, query: EntryQuery) =>
      request<EntryList>(`${base}/syncs/${runId}/entries`, { query: { ...query }, ...auth() }),
    downloadLog: (runId: string) =>
      requestFile(
        `${base}/syncs/${runId}/log.txt?tz=${encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)}`,
        auth(),
      ),
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
    workerTotals: () => request<WorkerTotals>(`${base}/workers/totals`, auth()),
    workerHistory: (workerId: string, page: { cursor?: string; limit?: number } = {}) =>
      request<WorkerHistory>(`${base}/workers/${workerId}/history`, { query: { ...page }, ...auth() }),
    directoryLink: () => request<DirectoryLink>(`${base}/directory-link`, auth()),
    createWorker: (input: WorkerInput) =>
      request<{ worker: Worker }>(`${base}/workers`, { method: 'POST', body: input, ...auth() }),
    updateWorker: (workerId: string, patch: WorkerPatch) =>
      request<{ worker: Worker }>(`${base}/workers/${workerId}`, { method: 'PATCH', body: patch, ...auth() }),
    createPosition: (name: string) =>
      request<{ position: Position }>(`${base}/positions`, { method: 'POST', body: { name }, ...auth() }),
    renamePosition: (positionId: string, name: string) =>
      request<{ position: Position }>(`${base}/positions/${positionId}`, {
        method: 'PATCH',
        body: { name },
        ...auth(),
      }),

    listProjects: () => request<ProjectList>(`${base}/projects`, auth()),
    listCostCodes: (projectId: string) =>
      request<CostCodeList>(`${base}/projects/${projectId}/cost-codes`, auth()),
    listTimesheets: (query: { projectId: string; from: string; to: string }) =>
      request<{ timesheets: Timesheet[] }>(`${base}/timesheets`, { query: { ...query }, ...auth() }),
    createTimesheet: (input: TimesheetInput) =>
      request<{ timesheet: Timesheet }>(`${base}/timesheets`, { method: 'POST', body: input, ...auth() }),
    updateTimesheet: (id: string, patch: TimesheetPatch) =>
      request<{ timesheet: Timesheet }>(`${base}/timesheets/${id}`, {
        method: 'PATCH',
        body: patch,
        ...auth(),
      }),
    deleteTimesheet: (id: string) =>
      request<null>(`${base}/timesheets/${id}`, { method: 'DELETE', ...auth() }),
    sendTimesheets: (body: { projectId: string; from: string; to: string }) =>
      request<{ run: SendRun; created?: boolean }>(`${base}/timesheet-sends`, {
        method: 'POST',
        body,
        ...auth(),
      }),
    listSends: (page: { cursor?: string; limit?: number } = {}) =>
      request<{ runs: SendRun[]; nextCursor: string | null }>(`${base}/timesheet-sends`, {
        query: { ...page },
        ...auth(),
      }),
    getSend: (runId: string) => request<{ run: SendRun }>(`${base}/timesheet-sends/${runId}`, auth()),
    listSendEntries: (runId: string, query: SendEntryQuery) =>
      request<{ entries: SendEntry[]; nextCursor: string | null }>(
        `${base}/timesheet-sends/${runId}/entries`,
        {
          query: { ...query },
          ...auth(),
        },
      ),
    downloadSendLog: (runId: string) =>
      requestFile(
        `${base}/timesheet-sends/${runId}/log.txt?tz=${encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)}`,
        auth(),
      ),
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
