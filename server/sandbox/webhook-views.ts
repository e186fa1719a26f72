import type { Company, Delivery, WebhookHook, WebhookTrigger } from './model';

/** `destination_headers.Authorization` is masked to its last 5 characters (procore-api.md §6.1). */
function mask(secret: string | null): string | null {
  if (secret === null) return null;
  return '*'.repeat(Math.max(0, secret.length - 5)) + secret.slice(-5);
}

export function hookView(company: Company, h: WebhookHook) {
  return {
    id: h.id,
    status: h.status,
    payload_version: h.payload_version,
    namespace: h.namespace,
    destination_url: h.destination_url,
    destination_headers: { Authorization: mask(h.authorization) },
    trigger_count: [...company.triggers.values()].filter((t) => t.hookId === h.id).length,
    company_id: String(company.id),
    project_id: null,
    created_at: new Date(h.created_at).toISOString(),
    updated_at: new Date(h.updated_at).toISOString(),
  };
}

export function triggerView(t: WebhookTrigger) {
  return {
    id: t.id,
    webhook_hook_id: t.hookId,
    resource_name: t.resource_name,
    event_type: t.event_type,
    company_id: String(t.companyId),
    project_id: null,
  };
}

/** RestV20…DeliveriesGet: status, the v2-style payload, and each attempt. */
export function deliveryV2(d: Delivery) {
  return {
    id: d.id,
    status: d.status,
    payload: d.payloadV2,
    delivery_attempts: d.attempts.map((a) => ({
      id: a.id,
      success: a.success,
      response_status: a.response_status,
      response_body: a.error ?? a.response_body,
      response_headers: a.response_headers,
      started_at: new Date(a.started_at).toISOString(),
      completed_at: a.completed_at === null ? null : new Date(a.completed_at).toISOString(),
    })),
  };
}
