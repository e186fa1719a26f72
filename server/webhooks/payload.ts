import { z } from 'zod';

/**
 * Procore webhook payloads (procore-api.md §6.2, §10.9): v2.0 and v3.0 carry integer ids, a
 * `ulid`, `event_type` and `resource_name`; v4.0 makes every id a string and renames them to
 * `reason` and `resource_type`. Ids may come as integers or strings either way; we keep them as
 * strings of digits (64-bit safe).
 */
const MAX_BIGINT = 9223372036854775807n;
const idValue = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^\d{1,19}$/, 'must be a numeric id')
    // Ids are stored as PostgreSQL bigint: a larger one is not a Procore id (and would be a 5xx).
    // zod 4 runs a refinement even after the regex failed: BigInt() must only see digits.
    .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= MAX_BIGINT, 'must be a numeric id within 64 bits'),
]);
const id = idValue.transform((v) => String(v));
const optionalId = idValue.nullish().transform((v) => (v === null || v === undefined ? null : String(v)));
const shortText = (max: number) => z.string().min(1).max(max);

const metadata = z
  .object({
    source_user_id: optionalId,
    source_project_id: optionalId,
    source_company_id: optionalId,
    source_operation_id: z.union([z.string().max(200), z.number()]).nullish(),
    source_application_id: z.union([z.string().max(200), z.number()]).nullish(),
  })
  .loose()
  .nullish();

const legacyPayload = z
  .object({
    id: z.union([idValue, z.string().max(64)]).optional(),
    ulid: z
      .string()
      .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/i, 'must be a 26-character ULID')
      .optional(),
    timestamp: z.string().max(64).optional(),
    metadata,
    user_id: optionalId,
    company_id: id,
    project_id: optionalId,
    api_version: z.enum(['v2.0', 'v3.0', 'v2', 'v3']),
    event_type: shortText(64),
    resource_name: shortText(128),
    resource_id: id,
    related_resources: z.array(z.unknown()).max(1000).optional(),
  })
  .loose()
  .refine((p) => p.ulid !== undefined || p.id !== undefined, {
    message: 'needs an id or a ulid',
    path: ['ulid'],
  });

const v4Payload = z
  .object({
    id: shortText(64),
    timestamp: z.string().max(64),
    reason: shortText(64),
    company_id: id,
    project_id: optionalId,
    user_id: optionalId,
    resource_type: shortText(128),
    resource_id: id,
    metadata,
  })
  .loose();

export interface WebhookEvent {
  deliveryKey: string;
  payloadVersion: 'v2.0' | 'v3.0' | 'v4.0';
  companyId: string;
  resourceName: string;
  eventType: string;
  resourceId: string;
  eventAt: Date | null;
  sourceApplicationId: string | null;
}

export type ParsedDelivery = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

function parseTime(value: string | undefined): Date | null {
  if (!value) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return null;
  const d = new Date(t);
  // JavaScript dates reach years PostgreSQL cannot store; such a timestamp is no real event time.
  const year = d.getUTCFullYear();
  return year >= 1970 && year <= 9999 ? d : null;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the payload is not a Procore webhook event';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

export function parseDelivery(body: unknown): ParsedDelivery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'the body must be a JSON object' };
  }
  const isV4 = 'reason' in body || 'resource_type' in body;
  if (isV4) {
    const parsed = v4Payload.safeParse(body);
    if (!parsed.success)
      return { ok: false, reason: `not a v4.0 webhook event: ${firstIssue(parsed.error)}` };
    const p = parsed.data;
    return {
      ok: true,
      event: {
        deliveryKey: p.id,
        payloadVersion: 'v4.0',
        companyId: p.company_id,
        resourceName: p.resource_type,
        eventType: p.reason.toLowerCase(),
        resourceId: p.resource_id,
        eventAt: parseTime(p.timestamp),
        sourceApplicationId:
          p.metadata?.source_application_id != null ? String(p.metadata.source_application_id) : null,
      },
    };
  }
  const parsed = legacyPayload.safeParse(body);
  if (!parsed.success)
    return { ok: false, reason: `not a v2.0/v3.0 webhook event: ${firstIssue(parsed.error)}` };
  const p = parsed.data;
  return {
    ok: true,
    event: {
      // procore-api.md §6.3: dedupe on ulid (or id); both are unique per event.
      deliveryKey: p.ulid ?? String(p.id),
      payloadVersion: p.api_version.startsWith('v3') ? 'v3.0' : 'v2.0',
      companyId: p.company_id,
      resourceName: p.resource_name,
      eventType: p.event_type.toLowerCase(),
      resourceId: p.resource_id,
      eventAt: parseTime(p.timestamp),
      sourceApplicationId:
        p.metadata?.source_application_id != null ? String(p.metadata.source_application_id) : null,
    },
  };
}

/** Procore's payloads are flat (§6.2); deeper JSON is no delivery and costs stack to store. */
const MAX_DEPTH = 32;

/**
 * The body as the JSON text stored in `webhook_deliveries.payload`, or why it cannot be stored:
 * PostgreSQL's jsonb refuses `\u0000` and unpaired surrogates, which JSON.parse accepts, so those
 * are a 400 here rather than a failed insert (a 5xx) later.
 */
export function storablePayload(body: unknown): { ok: true; json: string } | { ok: false; reason: string } {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DEPTH) return { ok: false, reason: `the body is nested deeper than ${MAX_DEPTH} levels` };
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  const json = JSON.stringify(body);
  // An escape preceded by an even number of backslashes is a real \u escape, not literal text.
  if (/(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i.test(json)) {
    return { ok: false, reason: 'the body contains a NUL character or an unpaired surrogate' };
  }
  return { ok: true, json };
}
