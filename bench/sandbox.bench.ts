import { buildSandbox } from '../server/sandbox/app';

const COMPANY = 4_280_001;
const USERS = 50_000;
const SAMPLES = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The sandbox serves `GET /rest/v1.3/companies/{id}/users?page=N&per_page=100` out of 50,000 users
 * measured through Fastify's `inject` (routing, auth, rate limits,
 * pagination, serialization; no socket) and through real HTTP on 127.0.0.1.
 */
export async function run(): Promise<Array<{ name: string; value: number; unit: string; goal?: string }>> {
  const sb = await buildSandbox({
    seed: { users: USERS, seed: 42 },
    settings: { rateLimit: { hourly: 1e9, spike: 1e9 } },
  });
  try {
    const token = (
      await sb.app.inject({ method: 'POST', url: '/_sandbox/tokens', payload: { service_account: true } })
    ).json().access_token as string;
    const headers = { authorization: `Bearer ${token}`, 'procore-company-id': String(COMPANY) };
    const pages = Math.ceil(USERS / 100);
    const url = (i: number) =>
      `/rest/v1.3/companies/${COMPANY}/users?page=${1 + ((i * 7919) % pages)}&per_page=100`;

    for (let i = 0; i < 20; i++) await sb.app.inject({ url: url(i), headers }); // warm-up (builds the sorted cache)
    const injectMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const start = performance.now();
      const res = await sb.app.inject({ url: url(i), headers });
      injectMs.push(performance.now() - start);
      if (res.statusCode !== 200) throw new Error(`unexpected ${res.statusCode}`);
    }

    await sb.app.listen({ port: 0, host: '127.0.0.1' });
    const address = sb.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const httpMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const start = performance.now();
      const res = await fetch(`${base}${url(i)}`, { headers });
      await res.arrayBuffer();
      httpMs.push(performance.now() - start);
    }
    return [
      {
        name: 'sandbox: users page of 100 out of 50,000 (inject), median',
        value: round(median(injectMs)),
        unit: 'ms',
        goal: '< 10',
      },
      {
        name: 'sandbox: users page of 100 out of 50,000 (HTTP), median',
        value: round(median(httpMs)),
        unit: 'ms',
        goal: '< 10',
      },
    ];
  } finally {
    await sb.app.close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
