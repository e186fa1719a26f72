import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

/** A webhook receiver on 127.0.0.1 (free port) whose answers a test scripts. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer: a status, or 'hang' to never answer within the timeout. */
  respond: (n: number) => number | 'hang';
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const r: Partial<Receiver> & { received: Received[] } = { received: [], respond: () => 200 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      r.received.push({ headers: req.headers, body: JSON.parse(raw || '{}'), at: Date.now() });
      const answer = (r.respond as Receiver['respond'])(r.received.length);
      if (answer === 'hang') {
        setTimeout(() => res.writeHead(200).end(), 2000).unref();
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  r.url = `http://127.0.0.1:${port}/webhooks/procore`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r as Receiver;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met in time');
}
