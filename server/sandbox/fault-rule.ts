import { z } from 'zod';

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
