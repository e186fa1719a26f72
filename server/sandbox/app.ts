import Fastify, { type FastifyRequest } from 'fastify';
import { peekToken } from './auth';
import { registerBodyParsers } from './body-parsers';
import { registerClassificationRoutes } from './classifications.routes';
import { registerControlRoutes } from './control.routes';
import { registerCostCodeRoutes } from './cost-codes.routes';
import { registerDirectoryRoutes } from './directory.routes';
import { DirectoryService } from './directory.service';
import { registerDirectoryPage } from './directory-page';
import { sendRestError } from './errors';
import { appliedFault, registerFaults } from './faults';
import { registerFramingPage } from './framing-page';
import type { SandboxHandle } from './handle';
import { registerOAuthRoutes } from './oauth.routes';
import { registerPeopleRoutes } from './people.routes';
import { registerPermissionRoutes } from './permissions.routes';
import { type SeedOptions, seedSandbox } from './seed';
import { applySettingsPatch, type SettingsPatch } from './settings';
import { SandboxState } from './state';
import { registerTimecardPage } from './timecard-page';
import { registerTimecardRoutes } from './timecards.routes';
import { registerUserRoutes } from './users.routes';
import { WebhookDispatcher } from './webhook-dispatcher';
import { registerWebhookRoutes } from './webhooks.routes';

export type { SandboxHandle } from './handle';

export interface BuildSandboxOptions {
  /** The app's public URL, framed by the company tools page (default http://localhost:3000). */
  appUrl?: string;
  logLevel?: string;
  seed?: SeedOptions;
  settings?: SettingsPatch;
}

/** Builds the Procore simulator without listening; tests use `inject`. */
export async function buildSandbox(options: BuildSandboxOptions = {}): Promise<SandboxHandle> {
  const appUrl = (options.appUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
  const app = Fastify({
    logger: options.logLevel && options.logLevel !== 'silent' ? { level: options.logLevel } : false,
    bodyLimit: 10 * 1024 * 1024,
  });
  const state = new SandboxState();
  const dispatcher = new WebhookDispatcher(state);
  const directory = new DirectoryService(state, (...args) => dispatcher.emit(...args));

  const handle: SandboxHandle = {
    app,
    state,
    directory,
    dispatcher,
    reset(seed, settings) {
      dispatcher.cancelAll();
      const used = { ...state.ids };
      const fresh = new SandboxState();
      Object.assign(state, fresh);
      if (settings) applySettingsPatch(state.settings, settings);
      seedSandbox(state, seed);
      // The seed's own ids are the same on every reset; what is made after it never reuses an id
      // handed out before the reset, as Procore never does: an app that still holds an old id
      // (a timecard entry, a contact) must not find it pointing at something new.
      for (const kind of Object.keys(used) as Array<keyof typeof used>) {
        state.ids[kind] = Math.max(state.ids[kind], used[kind]);
      }
    },
  };
  handle.reset(options.seed, options.settings);

  registerBodyParsers(app);
  registerFaults(app, state, (request) => logRequest(state, request, 0, 0));
  app.addHook('onResponse', async (request, reply) => {
    logRequest(state, request, reply.statusCode, reply.elapsedTime);
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/rest/'))
      return sendRestError(reply, request.url, 404, 'Not Found', 'not_found');
    return reply.code(404).type('text/plain').send('Not found');
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'sandbox error');
    const message = status >= 500 ? 'Internal Server Error' : error.message;
    return sendRestError(reply, request.url, status, message, status >= 500 ? 'internal' : 'bad_request');
  });
  app.addHook('onClose', async () => dispatcher.close());

  registerOAuthRoutes(app, state);
  registerDirectoryRoutes(app, state);
  registerCostCodeRoutes(app, state);
  registerUserRoutes(app, state, directory);
  registerPermissionRoutes(app, state);
  registerPeopleRoutes(app, state, directory);
  registerClassificationRoutes(app, state);
  registerTimecardRoutes(app, state);
  registerWebhookRoutes(app, state);
  registerControlRoutes(app, handle);
  registerFramingPage(app, state, appUrl);
  registerDirectoryPage(app, state, directory);
  registerTimecardPage(app, state);
  await app.ready();
  return handle;
}

function logRequest(state: SandboxState, request: FastifyRequest, status: number, durationMs: number): void {
  const [path = '', query = ''] = request.url.split('?');
  if (!path.startsWith('/rest/') && !path.startsWith('/oauth/')) return;
  const token = peekToken(state, request);
  const params = request.params as Record<string, string | undefined> | undefined;
  const header = request.headers['procore-company-id'];
  const companyRaw = params?.company_id ?? (Array.isArray(header) ? header[0] : header);
  state.logRequest({
    at: new Date(state.now()).toISOString(),
    method: request.method,
    path,
    query,
    status,
    token_kind: token?.kind ?? null,
    user_id: token?.userId ?? null,
    company_id: companyRaw && /^\d+$/.test(companyRaw) ? Number(companyRaw) : null,
    duration_ms: Math.round(durationMs * 100) / 100,
    fault: appliedFault(request),
  });
}
