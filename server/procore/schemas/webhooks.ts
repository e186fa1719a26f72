import { z } from 'zod';
import { optionalText, procoreId } from './common';

/**
 * Webhooks API v2.0 (procore-api.md §6.1, §10.10): ids are strings, every body is wrapped in
 * `{data: …}` (the client unwraps it). Deliveries carry the v2.0-style event (integer ids).
 */

export const hookSchema = z.looseObject({
  id: procoreId,
  status: z.enum(['active', 'disabled']).nullish(),
  payload_version: optionalText,
  namespace: optionalText,
  destination_url: z.string(),
  destination_headers: z.looseObject({ Authorization: optionalText }).nullish(),
  trigger_count: z.number().int().nullish(),
  company_id: procoreId.nullish(),
  project_id: procoreId.nullish(),
});
export type ProcoreHook = z.output<typeof hookSchema>;

export const triggerSchema = z.looseObject({
  id: procoreId,
  webhook_hook_id: procoreId.nullish(),
  resource_name: z.string(),
  event_type: z.string(),
  company_id: procoreId.nullish(),
  project_id: procoreId.nullish(),
});
export type ProcoreTrigger = z.output<typeof triggerSchema>;

export const deliverySchema = z.looseObject({
  id: procoreId,
  // Response enum says `delivered` where the filter says `succeeded` (§9.10): accept any text.
  status: z.string(),
  payload: z
    .looseObject({
      resource_name: optionalText,
      resource_id: procoreId.nullish(),
      event_type: optionalText,
    })
    .nullish(),
  delivery_attempts: z
    .array(z.looseObject({ success: z.boolean().nullish(), response_status: z.number().int().nullish() }))
    .nullish(),
});
export type ProcoreDelivery = z.output<typeof deliverySchema>;

/** `DELETE …/triggers/bulk` → `{data: {succeeded: [id], failed?: [...]}}` (§10 OAS). */
export const bulkDeleteResultSchema = z.looseObject({
  succeeded: z.array(procoreId),
  failed: z.array(z.unknown()).nullish(),
});
export type ProcoreBulkDeleteResult = z.output<typeof bulkDeleteResultSchema>;
