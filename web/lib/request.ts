/**
 * The single request function under every API call (style.md rule 19): sends the session,
 * checks the status, parses JSON, and throws an ApiError carrying the server's code and a
 * message a person can act on. `requestFile` shares the same send-and-check path for the one
 * download (the .txt log), which needs the Bearer token a plain link cannot send.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
  /** Query parameters; undefined and empty values are left out. */
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Set on the one retry after a renewal, so an expired answer is never chased twice. */
  renewed?: boolean;
}

/** Called when the server says the session is gone (401): the app returns to Connect. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/**
 * Told first, with the server's error, when a request's session is refused for good: the session
 * model keeps the server's reason (Disconnect, uninstall, access lost) to show on Connect.
 */
const refusalListeners = new Set<(error: ApiError) => void>();
export function onSessionRefused(listener: (error: ApiError) => void): () => void {
  refusalListeners.add(listener);
  return () => refusalListeners.delete(listener);
}

/**
 * Gets a fresh token when the server says the one sent has expired (`session_expired`), so a
 * request made after the page slept past its renewal still succeeds: null when there is none.
 */
let renewer: ((expiredToken: string) => Promise<string | null>) | null = null;
export function setSessionRenewer(fn: ((expiredToken: string) => Promise<string | null>) | null): void {
  renewer = fn;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options, 'application/json');
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : null) as T;
}

export interface DownloadedFile {
  blob: Blob;
  filename: string | null;
}

export async function requestFile(path: string, options: RequestOptions = {}): Promise<DownloadedFile> {
  const response = await send(path, options, 'text/plain, */*');
  return { blob: await response.blob(), filename: filenameOf(response.headers.get('content-disposition')) };
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Could not reach Worker Sync. Check your connection and try again.');
  }
  if (response.ok) return response;
  const error = await errorOf(response);
  const apiError = new ApiError(
    response.status,
    error?.code ?? 'http_error',
    error?.message ?? fallbackMessage(response.status),
  );
  if (response.status === 401 && options.token) {
    if (apiError.code === 'session_expired' && renewer && !options.renewed) {
      const token = await renewer(options.token);
      if (token) return send(path, { ...options, token, renewed: true }, accept);
      // The renewal was refused: the session model has ended the session and says why.
      throw apiError;
    }
    for (const listener of refusalListeners) listener(apiError);
    onUnauthorized?.();
  }
  throw apiError;
}

async function errorOf(response: Response): Promise<{ code?: string; message?: string } | undefined> {
  try {
    return ((await response.json()) as { error?: { code?: string; message?: string } } | null)?.error;
  } catch {
    return undefined; // not JSON (a proxy's error page): the fallback message says what to do
  }
}

function fallbackMessage(status: number): string {
  if (status === 403) return 'You do not have permission to do that. Ask a Procore company admin.';
  if (status === 404) return 'That was not found. It may have been removed; reload the page.';
  if (status >= 500) return 'Worker Sync had a problem on its side. Try again in a minute.';
  return `Worker Sync answered ${status}. Try again in a moment.`;
}

/** `attachment; filename="acme-2026-11-25.txt"` → the name, so the saved file keeps it. */
function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? null;
}
