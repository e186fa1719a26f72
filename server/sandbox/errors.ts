import type { FastifyReply } from 'fastify';

/**
 * Procore's error bodies (procore-api.md §8, §10.5):
 * - REST v1.x: `{code: integer, message, fields, reason, error: string|null}` (the OAS's generic model);
 * - REST v2.0: `{error: {code: "BAD_REQUEST"-style, message, details: [{reason_code, message, source}]}}`;
 * - OAuth (/oauth/*): RFC 6749 §5.2 `{error, error_description}` — Procore's login host is an OAuth
 *   server and its documented messages ("The access token is invalid", "The refresh token is
 *   invalid") are the `error_description`s.
 */
export interface V1Error {
  code: number;
  message: string;
  fields: string;
  reason: string;
  error: string | null;
}

export function v1Error(status: number, message: string, reason: string, fields = ''): V1Error {
  return { code: status, message, fields, reason, error: message };
}

export function sendV1(reply: FastifyReply, status: number, message: string, reason: string, fields = '') {
  return reply.code(status).send(v1Error(status, message, reason, fields));
}

const V2_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
};

export function sendV2(
  reply: FastifyReply,
  status: number,
  message: string,
  details: Array<{ reason_code: string; message: string; source?: string }> = [],
) {
  return reply.code(status).send({ error: { code: V2_CODES[status] ?? 'ERROR', message, details } });
}

export function sendOAuth(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).send({ error, error_description: description });
}

/** Whether a path is a REST v2.0 path (its errors use the v2 envelope). */
export function isV2Path(url: string): boolean {
  return url.startsWith('/rest/v2.0/');
}

/** Sends an error in the envelope the path's API version uses. */
export function sendRestError(
  reply: FastifyReply,
  url: string,
  status: number,
  message: string,
  reason: string,
) {
  if (isV2Path(url)) return sendV2(reply, status, message, [{ reason_code: reason, message }]);
  return sendV1(reply, status, message, reason);
}
