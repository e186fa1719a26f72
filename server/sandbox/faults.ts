import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { v1Error } from './errors';
import type { SandboxState } from './state';

/**
 * Faults on demand (procore-api.md §7, §8: 500/502/503 with `Retry-After` under heavy load).
 * A rule matches a method and a path pattern (`*` = one path segment's characters, `**` = any
 * characters) — by default every Procore API request (`/rest/…` and `/oauth/…`) — fires for a
 * share of the matching requests, optionally only `times` times.
 */
export const faultRuleSchema = z
  .object({
    kind: z.enum(['latency', 'error', 'drop', 'slow_body']),
    method: z.string().toUpperCase().optional(),
    path: z.string().startsWith('/').optional(),
    share: z.number().min(0).max(1).default(1),
    times: z.number().int().positive().optional(),
    latency_ms: z.number().int().min(0).default(1000),
    status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(503),
    retry_after: z.number().int().min(0).nullable().default(5),
    /** slow_body: the body trickles out over this long. */
    duration_ms: z.number().int().min(0).default(2000),
  })
  .strict();

export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export interface FaultRule extends z.infer<typeof faultRuleSchema> {
  id: string;
  hits: number;
  remaining: number | null;
  pattern: RegExp | null;
}

let faultSeq = 0;

export function makeFaultRule(input: z.infer<typeof faultRuleSchema>): FaultRule {
  return {
    ...input,
    id: `fault-${++faultSeq}`,
    hits: 0,
    remaining: input.times ?? null,
    pattern: input.path ? globToRegExp(input.path) : null,
  };
}

export function faultView(rule: FaultRule) {
  const { pattern: _p, ...rest } = rule;
  return rest;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === ':' || ch === '{') {
      // a path parameter (":id" or "{id}") matches one segment
      const end = ch === ':' ? glob.slice(i).search(/[/]|$/) : glob.indexOf('}', i) - i + 1;
      out += '[^/]+';
      i += Math.max(0, end - 1);
    } else out += ch.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

const faultOf = new WeakMap<FastifyRequest, string>();
const slowBody = new WeakMap<FastifyRequest, number>();

/** The fault applied to a request, if any (the request log shows it). */
export function appliedFault(request: FastifyRequest): string | null {
  return faultOf.get(request) ?? null;
}

function isApiPath(path: string): boolean {
  return path.startsWith('/rest/') || path.startsWith('/oauth/');
}

export function registerFaults(
  app: FastifyInstance,
  state: SandboxState,
  onDrop: (r: FastifyRequest) => void,
) {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (state.faults.length === 0) return;
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/_sandbox/')) return;
    for (const rule of state.faults) {
      if (rule.remaining === 0) continue;
      if (rule.method && rule.method !== request.method) continue;
      if (rule.pattern ? !rule.pattern.test(path) : !isApiPath(path)) continue;
      if (Math.random() >= rule.share) continue;
      rule.hits++;
      if (rule.remaining !== null) rule.remaining--;
      faultOf.set(request, rule.kind);
      switch (rule.kind) {
        case 'latency':
          await new Promise((r) => setTimeout(r, rule.latency_ms));
          break;
        case 'slow_body':
          slowBody.set(request, rule.duration_ms);
          break;
        case 'error': {
          if (rule.retry_after !== null) reply.header('Retry-After', String(rule.retry_after));
          const message = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[
            rule.status
          ];
          return reply.code(rule.status).send(v1Error(rule.status, message, 'fault'));
        }
        case 'drop':
          onDrop(request);
          reply.hijack();
          request.raw.socket?.destroy();
          return reply;
      }
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const duration = slowBody.get(request);
    if (duration === undefined) return payload;
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : null;
    if (text === null) return payload;
    reply.removeHeader('content-length');
    return trickle(Buffer.from(text), duration);
  });
}

/** A stream that sends the body in ten pieces spread over `durationMs`. */
function trickle(body: Buffer, durationMs: number): Readable {
  const pieces = 10;
  const size = Math.ceil(body.length / pieces) || 1;
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= body.length) {
        this.push(null);
        return;
      }
      const chunk = body.subarray(offset, offset + size);
      offset += size;
      setTimeout(() => this.push(chunk), durationMs / pieces);
    },
  });
}
