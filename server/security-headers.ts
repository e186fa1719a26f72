import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Headers on every response. The app lives in Procore's iframe, so framing is allowed only by
 * Procore's origins (and the local sandbox): CSP frame-ancestors, never X-Frame-Options
 * (procore-app.md §7, "Framing headers").
 */
export const securityHeaders = fp(
  async (app: FastifyInstance, opts: { frameOrigins: readonly string[] }) => {
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "font-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      `frame-ancestors 'self' ${opts.frameOrigins.join(' ')}`,
    ].join('; ');
    app.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', csp);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'strict-origin-when-cross-origin');
      reply.header('cross-origin-resource-policy', 'same-site');
      reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });
  },
  { name: 'security-headers' },
);
