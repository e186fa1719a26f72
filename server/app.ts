import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { apiScope } from './auth/api-scope';
import type { Config } from './config';
import type { DatabaseHandle } from './db/connect';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes } from './health.routes';
import type { ConnectGateway } from './install/connect.gateway';
import { connectionRoutes } from './install/connection.routes';
import { oauthRoutes } from './install/oauth.routes';
import { createConnectGateway } from './install/procore-connect.gateway';
import type { JobQueue } from './jobs/queue';
import { createProcoreClient, type ProcoreClient } from './procore/client';
import { securityHeaders } from './security-headers';
import type { DirectoryFactory } from './sync/directory';
import { logsRoutes } from './sync/logs.routes';
import { procoreDirectoryFactory } from './sync/procore-directory';
import { settingsRoutes } from './sync/settings.routes';
import { syncRoutes } from './sync/sync.routes';
import { checkCompanyHook } from './webhooks/hook-health';
import { type WebhookWork, webhookReceiverRoutes } from './webhooks/receiver.routes';
import { workersRoutes } from './workers/workers.routes';

export interface AppDeps {
  database: DatabaseHandle;
  /** Absent in tests that do not run jobs. */
  queue?: JobQueue;
  /** The process's Procore client; built from config when absent. */
  procore?: ProcoreClient;
  /** The connect flow's view of Procore; built over `procore` when absent. */
  connectGateway?: ConnectGateway;
  /** How a sync reads a company's Procore users; over `procore` when absent. */
  directoryFor?: DirectoryFactory;
  /** Where webhook deliveries turn into jobs; deliveries are only stored when absent. */
  webhookWork?: WebhookWork;
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
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.decorate('routeTable', () => [...routes]);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // The iframe app routes on the client (/workers, /runs/42): a reload of the frame on such a page
  // gets index.html. API, OAuth, webhook and asset misses stay JSON 404s.
  const webDirForPages = deps.webDir ?? WEB_DIST;
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage =
      request.method === 'GET' &&
      !/^\/(api|auth|webhooks|assets)(\/|$)/.test(path) &&
      !/\.[a-z0-9]+$/i.test(path) &&
      existsSync(`${webDirForPages}/index.html`);
    if (isPage) return reply.type('text/html').sendFile('index.html', webDirForPages);
    return notFoundHandler(request, reply);
  });

  app.decorate('config', config);
  app.decorate('db', deps.database.db);

  // The JSON API described as OpenAPI (design.md, HTTP surface), from the same zod route schemas.
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'procore-worker-sync', version: '1', description: "The iframe app's JSON API." },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
    hiddenTag: 'hidden',
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Infrastructure first, then feature routes (style.md rule 2).
  await app.register(securityHeaders, { frameOrigins: config.frameOrigins });
  await app.register(healthRoutes, { database: deps.database });

  const procore = deps.procore ?? createProcoreClient({ config, db: deps.database.db });
  const gateway =
    deps.connectGateway ??
    createConnectGateway(procore, deps.database.db, {
      loginUrl: config.procore.loginUrl,
      clientId: config.procore.clientId,
    });
  app.decorate('procore', procore);

  // Feature routes: OAuth popup and webhook receiver outside /api (each checks its own way), and
  // the iframe's JSON API inside the session-proving scope.
  await app.register(oauthRoutes, {
    gateway,
    verifyWebhook: (companyId: string) =>
      checkCompanyHook(
        { db: deps.database.db, procore, gateway, publicUrl: config.publicUrl, log: app.log },
        companyId,
      ),
  });
  await app.register(webhookReceiverRoutes, {
    work: deps.webhookWork ?? null,
    ownApplicationIds: [config.procore.clientId],
  });
  const directoryFor = deps.directoryFor ?? procoreDirectoryFactory(procore, deps.database.db);
  await app.register(apiScope, {
    prefix: '/api',
    appSecret: config.appSecret,
    routes: [
      connectionRoutes(gateway),
      syncRoutes({ queue: deps.queue, directoryFor }),
      logsRoutes,
      settingsRoutes,
      workersRoutes,
    ],
  });

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
    procore: ProcoreClient;
    /** Every route registered (method and URL pattern), for the cross-tenant tests. */
    routeTable(): Array<{ method: string; url: string }>;
  }
}
