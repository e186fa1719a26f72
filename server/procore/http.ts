import pRetry, { AbortError } from 'p-retry';
import { ProcoreRateLimitedError, ProcoreSchemaError } from './errors';
import {
  errorForStatus,
  networkFailure,
  parseRetryAfter,
  TRANSIENT_STATUSES,
  TransientFailure,
  unavailableError,
} from './failures';
import { parseJsonSafe } from './json';
import { type RatePacer, readRateLimitHeaders, realSleep } from './pacer';

/**
 * The one place the app talks HTTP to Procore's API (nothing else calls `fetch` on
 * Procore). Per request: base URL, `Authorization: Bearer`, `Procore-Company-Id` (§1.5), JSON,
 * a timeout, pacing by the rate-limit headers (pacer.ts), and these failure rules:
 *  - 401: renew the token once (refresh / new client-credentials token) and resend;
 *  - 429: wait until `X-Rate-Limit-Reset` (or `Retry-After`, whichever is later, §9.7) and
 *    resend, up to `maxRateLimitWaits` times; a 429 was refused, so this is safe for writes;
 *  - 408/500/502/503/504, timeouts and dropped connections: retried with exponential backoff
 *    and jitter, never sooner than `Retry-After`, `maxAttempts` attempts in all (p-retry);
 *  - writes: POST is not idempotent, so it is resent only when it provably never arrived
 *    (429, connection refused). A POST that may have landed fails at once with
 *    `mayHaveApplied`, and the caller looks it up by `origin_id` before sending it again.
 *    PATCH sets absolute values and DELETE of a deleted item is a 404, so both retry like reads.
 *  - anything else: a typed error at once (failures.ts).
 */

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

export interface RequestSpec {
  method: Method;
  /** Path and optional query, e.g. `/rest/v1.3/companies/1/users?page=2` (from a `Link` header). */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body, or form fields when `form` is set (OAuth). */
  body?: unknown;
  form?: Record<string, string>;
  /** Sent as `Procore-Company-Id`. */
  companyId?: string;
  signal?: AbortSignal;
  /** Override the retry rule for writes (see above). */
  idempotent?: boolean;
  /** Non-2xx statuses handed back as responses instead of thrown (OAuth reads their bodies). */
  passStatuses?: readonly number[];
}

export interface ProcoreResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON (64-bit ids kept exact), or `null` for an empty body. */
  body: unknown;
}

/** Where a request's bearer token comes from. */
export interface AuthSource {
  /** Pacer bucket: Procore limits per token, and per company for the service account (§7). */
  readonly rateKey: string;
  accessToken(signal?: AbortSignal): Promise<string>;
  /** After a 401: a different valid token, or `undefined` when none can be had. */
  renew(rejected: string, signal?: AbortSignal): Promise<string | undefined>;
}

export interface HttpOptions {
  baseUrl: string;
  pacer: RatePacer;
  fetch?: typeof fetch;
  /** Attempts for transient failures, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  maxRateLimitWaits?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export class ProcoreHttp {
  readonly baseUrl: string;
  readonly #o: Required<Omit<HttpOptions, 'baseUrl' | 'pacer'>>;
  readonly #pacer: RatePacer;

  constructor(options: HttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#pacer = options.pacer;
    this.#o = {
      fetch: options.fetch ?? globalThis.fetch,
      maxAttempts: options.maxAttempts ?? 5,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRateLimitWaits: options.maxRateLimitWaits ?? 10,
      sleep: options.sleep ?? realSleep,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
  }

  /** Sends with retries; resolves with a 2xx response or rejects with a typed `ProcoreError`. */
  async request(spec: RequestSpec, auth?: AuthSource): Promise<ProcoreResponse> {
    const write = spec.method !== 'GET';
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    const details = { method: spec.method, path: spec.path.split('?')[0] };
    let attempts = 0;
    try {
      return await pRetry(
        async () => {
          attempts += 1;
          try {
            return await this.#attempt(spec, auth);
          } catch (error) {
            // Only transient failures that are safe to resend go back to p-retry.
            if (error instanceof TransientFailure && (idempotent || !error.sent)) throw error;
            throw new AbortError(error as Error);
          }
        },
        {
          retries: this.#o.maxAttempts - 1,
          // p-retry's own timer is zeroed: the delay is ours, so it can honour Retry-After.
          minTimeout: 0,
          factor: 1,
          signal: spec.signal,
          onFailedAttempt: async (error) => {
            if (error.retriesLeft <= 0) return;
            await this.#o.sleep(
              this.#backoff(error.attemptNumber, error as unknown as TransientFailure),
              spec.signal,
            );
          },
        },
      );
    } catch (error) {
      if (error instanceof TransientFailure) throw unavailableError(error, attempts, write, details);
      throw error;
    }
  }

  /** Exponential backoff with "equal jitter" (half fixed, half random), floored by Retry-After. */
  #backoff(attempt: number, failure: TransientFailure): number {
    const exp = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** (attempt - 1));
    const jittered = exp / 2 + (this.#o.random() * exp) / 2;
    return Math.max(jittered, failure.retryAfterMs ?? 0);
  }

  /** One attempt: handles 401 renewal and 429 waits itself; throws TransientFailure or a typed error. */
  async #attempt(spec: RequestSpec, auth: AuthSource | undefined): Promise<ProcoreResponse> {
    const details = { method: spec.method, path: spec.path.split('?')[0] };
    let token = auth ? await auth.accessToken(spec.signal) : undefined;
    let renewed = false;
    let rateWaits = 0;
    for (;;) {
      const sentAt = auth ? await this.#pacer.acquire(auth.rateKey, spec.signal) : 0;
      const res = await this.#send(spec, token, auth?.rateKey, sentAt);
      const requestId = res.headers.get('x-request-id') ?? undefined;
      if ((res.status >= 200 && res.status < 300) || spec.passStatuses?.includes(res.status)) return res;

      if (res.status === 401 && auth && token && !renewed) {
        renewed = true;
        token = await auth.renew(token, spec.signal);
        if (token) continue;
      }
      if (res.status === 429) {
        const limit = readRateLimitHeaders(res.headers);
        const now = this.#o.now();
        const until = Math.max(
          limit?.resetAt ?? 0,
          now + (parseRetryAfter(res.headers.get('retry-after'), now) ?? 0),
        );
        if (rateWaits >= this.#o.maxRateLimitWaits) {
          throw new ProcoreRateLimitedError(
            `Procore's rate limit for this app was still reached after waiting ${rateWaits} times.`,
            until > 0 ? new Date(until) : undefined,
            { ...details, status: 429, requestId },
          );
        }
        rateWaits += 1;
        // Unknown reset: back off like a transient failure rather than hammering.
        const resumeAt =
          until > now ? until + 100 : now + this.#backoff(rateWaits, new TransientFailure('', false, 0));
        if (auth) this.#pacer.block(auth.rateKey, resumeAt, sentAt);
        else await this.#o.sleep(resumeAt - now, spec.signal);
        continue;
      }
      if (TRANSIENT_STATUSES.has(res.status)) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.#o.now());
        throw new TransientFailure(`${res.status}`, true, retryAfter, res.status);
      }
      throw errorForStatus(res.status, res.body, { ...details, status: res.status, requestId });
    }
  }

  async #send(
    spec: RequestSpec,
    token: string | undefined,
    rateKey: string | undefined,
    sentAt: number,
  ): Promise<ProcoreResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (spec.companyId) headers['Procore-Company-Id'] = spec.companyId;
    let body: string | undefined;
    if (spec.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(spec.form).toString();
    } else if (spec.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    const timeout = AbortSignal.timeout(this.#o.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await this.#o.fetch(this.url(spec.path, spec.query), {
        method: spec.method,
        headers,
        body,
        signal,
      });
      text = await res.text(); // inside the timeout too: a stalled body counts as no answer
    } catch (error) {
      if (rateKey) this.#pacer.release(rateKey);
      if (spec.signal?.aborted) throw spec.signal.reason;
      throw networkFailure(error, this.#o.timeoutMs);
    }
    if (rateKey) this.#pacer.observe(rateKey, res.headers, sentAt);
    return { status: res.status, headers: res.headers, body: decodeBody(text, res.status, spec) };
  }

  /** Absolute URL on the API host. A `Link` URL on another origin is refused: the token must not leak. */
  url(path: string, query?: Record<string, QueryValue>): string {
    const url = new URL(/^https?:\/\//.test(path) ? path : `${this.baseUrl}${path}`);
    if (url.origin !== new URL(this.baseUrl).origin)
      throw new Error(`refusing to call ${url.origin} with a Procore token`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }
}

function decodeBody(text: string, status: number, spec: RequestSpec): unknown {
  if (text.trim() === '') return null;
  try {
    return parseJsonSafe(text);
  } catch {
    // An error page (HTML from a proxy) is fine to carry as text; a 2xx must be JSON.
    if (status >= 200 && status < 300) {
      throw new ProcoreSchemaError('response', 'expected JSON', {
        method: spec.method,
        path: spec.path.split('?')[0],
      });
    }
    return text.slice(0, 500);
  }
}
