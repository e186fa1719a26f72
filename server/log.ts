import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { Config } from './config';

/** Secrets never reach the logs: headers and token fields are redacted wherever they appear. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.appSecret',
  '*.token',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
}

/**
 * A request as a log line shows it. The OAuth routes carry the authorization `code`, the `state`
 * and one-time codes in their query, so their URL is logged without it.
 */
export function requestForLog(req: LoggedRequest) {
  const url = req.url ?? '';
  return {
    method: req.method,
    url: url.startsWith('/auth/') ? url.split('?')[0] : url,
    host: req.hostname,
    remoteAddress: req.ip,
  };
}

export function createLogger(config: Pick<Config, 'logLevel'>): FastifyBaseLogger {
  return pino({
    level: config.logLevel,
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: requestForLog },
  });
}
