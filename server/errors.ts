/**
 * The closed set of errors the HTTP layer knows. Anything else is a 500 whose message is hidden.
 * Body shape (design.md, runtime contract): `{ "error": { "code": "...", "message": "..." } }`.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  /** The session token ran out: the frame renews it with its refresh handle and tries again. */
  | 'session_expired'
  /** The session was ended for a reason the message gives (Disconnect, uninstall, access lost). */
  | 'session_ended'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'not_connected'
  | 'procore_unavailable'
  | 'procore_refused'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  session_expired: 401,
  session_ended: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  not_connected: 409,
  procore_unavailable: 503,
  procore_refused: 502,
  internal: 500,
};

export class AppError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AppError';
    this.statusCode = STATUS[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
export const invalidInput = (why: string) => new AppError('invalid_input', why);
export const conflict = (why: string) => new AppError('conflict', why);

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
