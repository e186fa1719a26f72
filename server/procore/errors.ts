/**
 * Typed Procore failures. Callers decide by class (a sync stops on `ProcoreUnauthorizedError`,
 * retries later on `ProcoreUnavailableError`, logs a user as failed on `ProcoreValidationError`),
 * and every message is written for a construction admin reading a sync log: no tokens, no stack
 * jargon. Status meanings from procore-api.md §8.
 */

export type ProcoreErrorCode =
  | 'unauthorized'
  | 'not_connected'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'bad_request'
  | 'rate_limited'
  | 'unavailable'
  | 'schema';

export interface ProcoreErrorDetails {
  status?: number;
  method?: string;
  /** Path without query or host (never a token). */
  path?: string;
  /** Procore's `x-request-id`, for a support ticket. */
  requestId?: string;
}

export abstract class ProcoreError extends Error {
  abstract readonly code: ProcoreErrorCode;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, details: ProcoreErrorDetails = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.requestId = details.requestId;
  }
}

/** The token was revoked or its refresh failed (§1.3, §8 401): the company must reconnect. */
export class ProcoreUnauthorizedError extends ProcoreError {
  readonly code = 'unauthorized';
}

/** 403 "App is not connected to this company" (§1.4): the app was uninstalled or never installed. */
export class ProcoreNotConnectedError extends ProcoreError {
  readonly code = 'not_connected';
}

/** Any other 403: the service account or user lacks a permission (§8). */
export class ProcoreForbiddenError extends ProcoreError {
  readonly code = 'forbidden';
}

/** 404: missing, or invisible to this token (Procore answers 404 rather than 403, §8). */
export class ProcoreNotFoundError extends ProcoreError {
  readonly code = 'not_found';
}

/** 422 (and the 400s that carry field errors): Procore refused the data; `messages` are Procore's own. */
export class ProcoreValidationError extends ProcoreError {
  readonly code = 'validation';
  constructor(
    message: string,
    readonly messages: readonly string[],
    details: ProcoreErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** 409: duplicate, e.g. an `origin_id` already used in the company (§8). */
export class ProcoreConflictError extends ProcoreError {
  readonly code = 'conflict';
}

/** Other 4xx: our request was wrong; retrying will not help. */
export class ProcoreBadRequestError extends ProcoreError {
  readonly code = 'bad_request';
}

/** Still limited after waiting out the rate-limit window the allowed number of times (§7). */
export class ProcoreRateLimitedError extends ProcoreError {
  readonly code = 'rate_limited';
  constructor(
    message: string,
    readonly resetAt: Date | undefined,
    details: ProcoreErrorDetails = {},
  ) {
    super(message, details);
  }
}

/**
 * 5xx, timeouts or dropped connections, after the bounded retries. `mayHaveApplied` is true for a
 * write whose fate is unknown (sent, then no answer): the caller looks it up by `origin_id`
 * before sending it again.
 */
export class ProcoreUnavailableError extends ProcoreError {
  readonly code = 'unavailable';
  constructor(
    message: string,
    readonly attempts: number,
    readonly mayHaveApplied: boolean,
    details: ProcoreErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, details, options);
  }
}

/** A response that does not have the shape the product relies on; `field` names where. */
export class ProcoreSchemaError extends ProcoreError {
  readonly code = 'schema';
  constructor(
    readonly field: string,
    readonly problem: string,
    details: ProcoreErrorDetails = {},
  ) {
    super(
      `Procore sent data this app does not understand (${field}: ${problem}); the sync stopped so nothing is changed by mistake.`,
      details,
    );
  }
}

export function isProcoreError(error: unknown): error is ProcoreError {
  return error instanceof ProcoreError;
}
