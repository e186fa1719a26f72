import type { FastifyInstance } from 'fastify';

/**
 * Procore's OAuth examples send form fields (`curl -F`, i.e. multipart) or urlencoded bodies while
 * the OAS declares JSON (procore-api.md §10.6): the sandbox accepts all three. Multipart is read
 * for text fields only.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (req, body, done) => {
    const type = req.headers['content-type'] ?? '';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (!boundary) return done(null, {});
    const fields: Record<string, string> = {};
    for (const part of String(body).split(`--${boundary}`)) {
      const name = /name="([^"]+)"/i.exec(part)?.[1];
      const split = part.indexOf('\r\n\r\n');
      if (!name || split < 0) continue;
      fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
    }
    done(null, fields);
  });
}
