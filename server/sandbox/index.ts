import Fastify from 'fastify';

/**
 * The built-in Procore simulator (design.md, "Sandbox"). `npm start` runs it beside the app in
 * sandbox mode; `npm run sandbox` runs it alone.
 */
export interface SandboxOptions {
  port: number;
  host?: string;
  /** The app's public URL, framed by the company tools page. */
  appUrl: string;
  logLevel?: string;
}

export interface RunningSandbox {
  url: string;
  close(): Promise<void>;
}

const DEMO_COMPANY_ID = '4280001';

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const app = Fastify({ logger: { level: options.logLevel ?? 'info' } });
  app.get('/', async (_request, reply) => {
    const src = `${options.appUrl}/?company_id=${DEMO_COMPANY_ID}`;
    return reply.type('text/html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Company Tools · Procore sandbox</title>
<style>html,body{margin:0;height:100%;font-family:system-ui,sans-serif}header{height:48px;background:#1f272d;color:#fff;display:flex;align-items:center;padding:0 16px;font-weight:600}
iframe{border:0;width:100%;height:calc(100% - 48px);display:block}</style></head>
<body><header>Procore sandbox · Company Tools</header><iframe id="app" title="procore-worker-sync" src="${src}"></iframe></body></html>`);
  });
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
