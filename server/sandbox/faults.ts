import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { v1Error } from './errors';
import type { FaultRule } from './fault-rule';
import type { SandboxState } from './state';

export { faultRuleSchema, makeFaultRule } from './fault-rule';

export function faultView(rule: FaultRule) {
  const { pattern: _p, ...rest } = rule;
  return rest;
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
