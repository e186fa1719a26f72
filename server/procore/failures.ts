import {
  ProcoreBadRequestError,
  ProcoreConflictError,
  type ProcoreError,
  type ProcoreErrorDetails,
  ProcoreForbiddenError,
  ProcoreNotConnectedError,
  ProcoreNotFoundError,
  ProcoreUnauthorizedError,
  ProcoreUnavailableError,
  ProcoreValidationError,
} from './errors';
import { errorMessages } from './schemas';

/**
 * Turning one failed exchange into either a retryable `TransientFailure` (handled by the retry
 * loop in http.ts) or a final typed error (procore-api.md §8).
 */

/** Statuses that mean "try again later" (§8: 408 large reads, 500/502/503/504 server or load). */
export const TRANSIENT_STATUSES = new Set([408, 500, 502, 503, 504]);

/**
 * A failure worth retrying. `sent` is false only when the request provably never reached
 * Procore (connection refused), which is what makes retrying a POST safe.
 */
export class TransientFailure extends Error {
  constructor(
    readonly reason: string,
    readonly sent: boolean,
    readonly retryAfterMs: number | undefined,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'TransientFailure';
  }
}

/** `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** A `fetch` rejection (not our caller's abort) as a transient failure. */
export function networkFailure(error: unknown, timeoutMs: number): TransientFailure {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new TransientFailure(
      `no answer within ${Math.round(timeoutMs / 1000)} s`,
      true,
      undefined,
      undefined,
      {
        cause: error,
      },
    );
  }
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const code = cause?.code ?? '';
  if (CONNECT_CODES.has(code)) {
    return new TransientFailure('cannot connect', false, undefined, undefined, { cause: error });
  }
  return new TransientFailure('connection dropped', true, undefined, undefined, { cause: error });
}

const NOT_CONNECTED = /not connected/i;

/** The final typed error for a non-2xx answer that is not retried. */
export function errorForStatus(status: number, body: unknown, details: ProcoreErrorDetails): ProcoreError {
  const messages = errorMessages(body);
  const said = messages.length > 0 ? `: ${messages.join('; ')}` : '';
  const what = details.path ?? 'the requested item';
  switch (status) {
    case 401:
      return new ProcoreUnauthorizedError(
        'Procore no longer accepts this app for the company (access revoked or expired). A company admin needs to reconnect the app.',
        details,
      );
    case 403:
      if (messages.some((m) => NOT_CONNECTED.test(m))) {
        return new ProcoreNotConnectedError(
          'The app is not connected to this Procore company (it was uninstalled or never installed). A company admin needs to install or reconnect it.',
          details,
        );
      }
      return new ProcoreForbiddenError(
        `Procore refused access (403)${said}. The app's service account may be missing a permission.`,
        details,
      );
    case 404:
      return new ProcoreNotFoundError(
        `Procore could not find ${what} (404), or this app is not allowed to see it.`,
        details,
      );
    case 409:
      return new ProcoreConflictError(`Procore refused a duplicate (409)${said}.`, details);
    case 422:
      return new ProcoreValidationError(`Procore refused the data (422)${said}.`, messages, details);
    default:
      return new ProcoreBadRequestError(`Procore rejected the request (${status})${said}.`, details);
  }
}

/** The error a transient failure becomes once retries are spent (or not allowed, for a write). */
export function unavailableError(
  failure: TransientFailure,
  attempts: number,
  write: boolean,
  details: ProcoreErrorDetails,
): ProcoreUnavailableError {
  const what = failure.status !== undefined ? `${failure.status}` : failure.reason;
  const mayHaveApplied = write && failure.sent;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const message = mayHaveApplied
    ? `Procore did not confirm a change (${what})${tries}; it may or may not have been saved, so it will be checked before it is sent again.`
    : `Procore is not responding (${what})${tries}.`;
  return new ProcoreUnavailableError(message, attempts, mayHaveApplied, details, { cause: failure });
}
