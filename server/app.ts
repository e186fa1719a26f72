import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { alertsRoutes } from './alerts/alerts.routes';
import { outboxRoutes } from './alerts/outbox.routes';
import { WEB_DIST } from './app-files';
import { apiScope } from './auth/api-scope';
import type { Config } from './config';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes } from './health.routes';
import { connectionRoutes } from './install/connection.routes';
import { oauthRoutes } from './install/oauth.routes';
import { securityHeaders } from './security-headers';
import type { Services } from './services';
import { settingsRoutes } from './settings/settings.routes';
import { logsRoutes } from './sync/logs.routes';
import { syncRoutes } from './sync/sync.routes';
import { timesheetsRoutes } from './timesheets/timesheets.routes';
import { webhookReceiverRoutes } from './webhooks/receiver.routes';
import { workersRoutes } from './workers/workers.routes';

export interface AppOptions {
  /** Where the built web app is (vite build output); tests may point elsewhere. */
  webDir?: string;
}

/** Builds the whole app, ready for `inject` or `listen`; never listens itself. */
export async function buildApp(
  config: Config,
  services: Services,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.log,
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
  const webDir = options.webDir ?? WEB_DIST;
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage =
      request.method === 'GET' &&
      !/^\/(api|auth|webhooks|assets|sandbox)(\/|$)/.test(path) &&
      !/\.[a-z0-9]+$/i.test(path) &&
      existsSync(`${webDir}/index.html`);
    if (isPage) return reply.type('text/html').sendFile('index.html', webDir);
    return notFoundHandler(request, reply);
  });

  app.decorate('config', config);

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

  // Infrastructure first, then feature routes.
  await app.register(securityHeaders, { frameOrigins: config.frameOrigins });
  await app.register(healthRoutes, { database: services.database });

  // Feature routes: OAuth popup and webhook receiver outside /api (each checks its own way), and
  // the iframe's JSON API inside the session-proving scope.
  await app.register(oauthRoutes(services));
  await app.register(webhookReceiverRoutes(services));
  await app.register(apiScope, {
    prefix: '/api',
    appSecret: config.appSecret,
    gate: (verified) => services.sessions.gate(verified),
    routes: [
      connectionRoutes(services),
      syncRoutes(services),
      logsRoutes(services),
      settingsRoutes(services),
      workersRoutes(services),
      timesheetsRoutes(services),
      alertsRoutes(services),
    ],
  });
  // Sandbox mode without SMTP: the e-mails the app would have sent, for a person to read.
  if (services.alerts.outboxEnabled) await app.register(outboxRoutes(services));

  if (existsSync(webDir)) {
    await app.register(fastifyStatic, { root: webDir, index: ['index.html'], wildcard: false });
  } else {
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain').send('The web app is not built yet: run `npm run build`.'),
    );
  }

  // The app owns its services from here: closing it stops their jobs too.
  app.addHook('onClose', async () => services.close());
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** Every route registered (method and URL pattern), for the cross-tenant tests. */
    routeTable(): Array<{ method: string; url: string }>;
  }
}
