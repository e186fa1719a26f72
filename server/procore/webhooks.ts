import type { Paged } from './pagination';
import {
  bulkDeleteResultSchema,
  deliverySchema,
  hookSchema,
  type ProcoreBulkDeleteResult,
  type ProcoreDelivery,
  type ProcoreHook,
  type ProcoreTrigger,
  triggerSchema,
} from './schemas';
import {
  type CallOptions,
  call,
  idSegment,
  list,
  requireCompany,
  type SessionContext,
  send,
} from './session';

/**
 * Webhooks API v2.0, company scope (procore-api.md §6.1, §10.10): bodies in and out are
 * `{data: …}` on responses, top-level fields on requests; deletes answer 204.
 */

export interface HookInput {
  namespace: string;
  destinationUrl: string;
  /** Sent back by Procore as the `Authorization` header of every delivery (§6.4). */
  authorization?: string;
  /** §6.2: v4.0 (all ids strings) unless the receiver wants the legacy v2.0 shape. */
  payloadVersion?: 'v2.0' | 'v3.0' | 'v4.0';
}

export interface TriggerInput {
  resource_name: string;
  event_type: 'create' | 'update' | 'delete';
}

export function webhookEndpoints(ctx: SessionContext) {
  const hooks = () => `/rest/v2.0/companies/${requireCompany(ctx)}/webhooks/hooks`;
  const hook = (id: string) => `${hooks()}/${idSegment(id)}`;

  return {
    listHooks(o: CallOptions & { namespace?: string } = {}): Paged<ProcoreHook> {
      return list(
        ctx,
        {
          path: hooks(),
          query: { namespace: o.namespace },
          label: 'hooks',
          envelope: true,
          signal: o.signal,
        },
        hookSchema,
      );
    },

    createHook(input: HookInput, o: CallOptions = {}): Promise<ProcoreHook> {
      return call(ctx, {
        method: 'POST',
        path: hooks(),
        body: {
          payload_version: input.payloadVersion ?? 'v4.0',
          namespace: input.namespace,
          destination_url: input.destinationUrl,
          destination_headers: input.authorization ? { Authorization: input.authorization } : null,
        },
        label: 'hook',
        schema: hookSchema,
        envelope: true,
        signal: o.signal,
      });
    },

    getHook(hookId: string, o: CallOptions = {}): Promise<ProcoreHook> {
      return call(ctx, {
        method: 'GET',
        path: hook(hookId),
        label: 'hook',
        schema: hookSchema,
        envelope: true,
        signal: o.signal,
      });
    },

    updateHook(
      hookId: string,
      patch: Partial<HookInput> & { status?: 'active' | 'disabled' },
      o: CallOptions = {},
    ): Promise<ProcoreHook> {
      const body: Record<string, unknown> = {};
      if (patch.namespace !== undefined) body.namespace = patch.namespace;
      if (patch.destinationUrl !== undefined) body.destination_url = patch.destinationUrl;
      if (patch.authorization !== undefined)
        body.destination_headers = { Authorization: patch.authorization };
      if (patch.payloadVersion !== undefined) body.payload_version = patch.payloadVersion;
      if (patch.status !== undefined) body.status = patch.status;
      return call(ctx, {
        method: 'PATCH',
        path: hook(hookId),
        body,
        label: 'hook',
        schema: hookSchema,
        envelope: true,
        signal: o.signal,
      });
    },

    deleteHook(hookId: string, o: CallOptions = {}): Promise<void> {
      return send(ctx, 'DELETE', hook(hookId), undefined, o.signal);
    },

    listTriggers(hookId: string, o: CallOptions = {}): Paged<ProcoreTrigger> {
      return list(
        ctx,
        { path: `${hook(hookId)}/triggers`, label: 'triggers', envelope: true, signal: o.signal },
        triggerSchema,
      );
    },

    createTrigger(hookId: string, trigger: TriggerInput, o: CallOptions = {}): Promise<ProcoreTrigger> {
      return call(ctx, {
        method: 'POST',
        path: `${hook(hookId)}/triggers`,
        body: trigger,
        label: 'trigger',
        schema: triggerSchema,
        envelope: true,
        signal: o.signal,
      });
    },

    /** Bulk body is a bare array; 201 (all made) or 207 (some failed) with `{data: [trigger]}`. */
    createTriggers(
      hookId: string,
      triggers: readonly TriggerInput[],
      o: CallOptions = {},
    ): Promise<ProcoreTrigger[]> {
      return call(ctx, {
        method: 'POST',
        path: `${hook(hookId)}/triggers/bulk`,
        body: triggers,
        label: 'triggers',
        schema: triggerSchema,
        envelope: true,
        array: true,
        signal: o.signal,
      });
    },

    deleteTrigger(hookId: string, triggerId: string, o: CallOptions = {}): Promise<void> {
      return send(ctx, 'DELETE', `${hook(hookId)}/triggers/${idSegment(triggerId)}`, undefined, o.signal);
    },

    deleteTriggers(
      hookId: string,
      triggerIds: readonly string[],
      o: CallOptions = {},
    ): Promise<ProcoreBulkDeleteResult> {
      return call(ctx, {
        method: 'DELETE',
        path: `${hook(hookId)}/triggers/bulk`,
        body: triggerIds,
        label: 'deleted triggers',
        schema: bulkDeleteResultSchema,
        envelope: true,
        signal: o.signal,
      });
    },

    listDeliveries(hookId: string, o: CallOptions & { status?: string } = {}): Paged<ProcoreDelivery> {
      return list(
        ctx,
        {
          path: `${hook(hookId)}/deliveries`,
          query: { 'filter[status]': o.status },
          label: 'deliveries',
          envelope: true,
          signal: o.signal,
        },
        deliverySchema,
      );
    },
  };
}

export type WebhookEndpoints = ReturnType<typeof webhookEndpoints>;
