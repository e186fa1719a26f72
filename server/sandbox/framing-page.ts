import type { FastifyInstance } from 'fastify';
import { chrome, pickCompany } from './chrome';
import { esc, page } from './html';
import { installServiceAccount } from './service-account';
import type { SandboxState } from './state';

const CSS = `
body{display:flex;flex-direction:column;height:100vh}
.frame{flex:1;display:flex;min-height:0}
iframe{border:0;width:100%;height:100%;display:block;background:#fff}
.banner{margin:24px;padding:20px 24px;display:flex;gap:16px;align-items:center}
.banner h2{margin:0 0 4px;font-size:17px}
`;

/**
 * The sandbox's root: Procore's company tools with the app in an iframe at
 * `${appUrl}/?company_id=<id>` — another site (localhost vs 127.0.0.1), as in production.
 */
export function registerFramingPage(app: FastifyInstance, state: SandboxState, appUrl: string): void {
  app.get('/', async (request, reply) => {
    const company = pickCompany(state, (request.query as Record<string, unknown>).company_id);
    if (!company) return reply.code(404).type('text/plain').send('No companies: POST /_sandbox/reset');
    const appName = state.settings.appName;
    const body = company.installed
      ? `<div class="frame"><iframe id="app" title="${esc(appName)}" src="${esc(`${appUrl}/?company_id=${company.id}`)}"
  allow="clipboard-write"></iframe></div>`
      : `<div class="card banner"><div style="flex:1"><h2>${esc(appName)} is not installed in ${esc(company.name)}</h2>
  <div class="muted">A company admin installs it from the App Marketplace; Procore then creates the app's service account in the Directory.</div></div>
  <form method="post" action="/ui/install?company_id=${company.id}"><button class="btn btn-primary" type="submit">Install app</button></form></div>`;
    return reply
      .type('text/html')
      .send(
        page(
          `${appName} · ${company.name} · Procore`,
          CSS,
          chrome(
            state,
            company,
            'app',
            [company.name, 'Company Tools', 'Apps', appName],
            `${appUrl}/sandbox/outbox`,
          ) + body,
        ),
      );
  });

  app.post('/ui/install', async (request, reply) => {
    const company = pickCompany(state, (request.query as Record<string, unknown>).company_id);
    if (company) installServiceAccount(state, company);
    return reply.redirect(`/?company_id=${company?.id ?? ''}`, 303);
  });
}
