import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services';

/**
 * Sandbox mode only (no Procore credentials, no `SMTP_URL`): the alert e-mails the app would have
 * sent, newest first — a page for a person trying the app, and the same list as JSON. Registered
 * only when the mailer keeps an outbox, so a production app has neither route.
 */
const outboxSchema = z.object({
  messages: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      from: z.string(),
      to: z.array(z.string()),
      subject: z.string(),
      text: z.string(),
    }),
  ),
});

const esc = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const CSS = `
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#232628;background:#f4f5f6}
main{max-width:880px;margin:0 auto;padding:24px 16px}
h1{font-size:22px;margin:0 0 6px}.lead{color:#5f6b73;margin:0 0 20px;line-height:1.5}
article{background:#fff;border:1px solid #d6dadc;border-radius:6px;margin:0 0 14px;overflow:hidden}
header{padding:12px 16px;border-bottom:1px solid #e4e7e9;display:grid;grid-template-columns:64px 1fr;gap:2px 8px}
header b{color:#6a767c;font-weight:600}h2{grid-column:1/-1;font-size:16px;margin:0 0 6px}
pre{margin:0;padding:14px 16px;white-space:pre-wrap;word-break:break-word;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace}
.empty{background:#fff;border:1px dashed #c3c9cc;border-radius:6px;padding:24px;text-align:center;color:#5f6b73}
`;

export function outboxRoutes(deps: Pick<Services, 'alerts'>) {
  return async function outboxRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/sandbox/outbox.json',
      { schema: { hide: true, response: { 200: outboxSchema } } },
      async () => ({ messages: deps.alerts.outbox() }),
    );

    app.get('/sandbox/outbox', { schema: { hide: true } }, async (_request, reply) => {
      const messages = deps.alerts.outbox();
      const items = messages
        .map(
          (m) => `<article><header><h2>${esc(m.subject)}</h2>
<b>Sent</b><span>${esc(m.at.replace('T', ' ').slice(0, 19))} UTC</span>
<b>From</b><span>${esc(m.from)}</span><b>To</b><span>${esc(m.to.join(', '))}</span></header>
<pre>${esc(m.text)}</pre></article>`,
        )
        .join('\n');
      return reply.type('text/html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="10">
<title>Outbox · Worker Sync sandbox</title><style>${CSS}</style></head><body><main>
<h1>Outbox</h1>
<p class="lead">Sandbox mode: no <code>SMTP_URL</code> is set, so the alert e-mails Worker Sync sends company admins
(when a problem starts, and when it clears) are kept here instead. Newest first, since this app process started;
the page refreshes itself.</p>
${items || '<p class="empty">No e-mails yet. One appears when a problem starts, such as a failed Autosync.</p>'}
</main></body></html>`);
    });
  };
}
