import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config';
import type { DatabaseHandle } from './db/connect';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes } from './health.routes';
import type { JobQueue } from './jobs/queue';
import { securityHeaders } from './security-headers';

export interface AppDeps {
  database: DatabaseHandle;
  /** Absent in tests that do not run jobs. */
  queue?: JobQueue;
  /** Where the built web app is (vite build output); tests may point elsewhere. */
  webDir?: string;
  logger?: FastifyServerOptions['logger'];
}

const WEB_DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** Secrets never reach the logs (brief: security). */
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

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
  };
}

/** Builds the whole app, ready for `inject` or `listen`; never listens itself. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config),
    trustProxy: true,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  app.decorate('config', config);
  app.decorate('db', deps.database.db);

  // Infrastructure first, then feature routes (style.md rule 2).
  await app.register(securityHeaders, { frameOrigins: config.frameOrigins });
  await app.register(healthRoutes, { database: deps.database });

  const webDir = deps.webDir ?? WEB_DIST;
  if (existsSync(webDir)) {
    await app.register(fastifyStatic, { root: webDir, index: ['index.html'], wildcard: false });
  } else {
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain').send('The web app is not built yet: run `npm run build`.'),
    );
  }

  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: DatabaseHandle['db'];
  }
}
