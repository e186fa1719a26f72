import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { AppError } from '../errors';
import { COMPANY_USERS_RESOURCE } from '../install/procore-connect.gateway';
import { parseDelivery, storablePayload, type WebhookEvent } from './payload';

/** Procore's payloads are small; anything bigger is not a Procore webhook. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;

export interface WebhookWork {
  /** Queues a fetch-and-apply of one Procore user (coalesced per company and user). */
  enqueueUserChange(companyId: string, procoreUserId: string): Promise<void>;
}

export interface ReceiverOptions {
  work: WebhookWork | null;
  /** Our own app's id in Procore: events it caused are stored and ignored (procore-api.md §6.3). */
  ownApplicationIds: readonly string[];
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `POST /webhooks/procore` (design.md flow 4, style.md rule 13): authenticate, record, enqueue,
 * answer — no Procore call and no sync work on this path, so the 2xx goes out well inside
 * Procore's 5-second window (procore-api.md §6.3).
 */
export async function webhookReceiverRoutes(app: FastifyInstance, opts: ReceiverOptions) {
  const { db } = app;

  app.post('/webhooks/procore', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
    const parsed = parseDelivery(request.body);
    if (!parsed.ok) {
      request.log.warn({ reason: parsed.reason }, 'rejected a malformed webhook delivery');
      throw new AppError('invalid_input', `Not a Procore webhook event: ${parsed.reason}.`);
    }
    const event = parsed.event;
    const stored = storablePayload(request.body);
    if (!stored.ok) {
      request.log.warn({ reason: stored.reason }, 'rejected a webhook delivery that cannot be stored');
      throw new AppError('invalid_input', `Not a Procore webhook event: ${stored.reason}.`);
    }

    const company = await db
      .selectFrom('companies')
      .select(['connection_state', 'webhook_secret_hash'])
      .where('id', '=', event.companyId)
      .executeTakeFirst();
    if (company && company.connection_state !== 'connected') {
      // Answered so Procore stops retrying, and dropped: the company disconnected the app.
      return reply.code(200).send({ status: 'dropped' });
    }
    const presented = request.headers.authorization ?? '';
    const expected = company?.webhook_secret_hash
      ? Buffer.from(company.webhook_secret_hash, 'base64url')
      : null;
    if (expected?.length !== 32 || !timingSafeEqual(digest(presented), expected)) {
      request.log.warn(
        { companyId: event.companyId },
        'rejected a webhook delivery with an unknown company or secret',
      );
      throw new AppError('unauthorized', 'Unknown company or wrong Authorization for this webhook.');
    }

    const { outcome, reason } = classify(event, opts.ownApplicationIds);
    const inserted = await db
      .insertInto('webhook_deliveries')
      .values({
        company_id: event.companyId,
        delivery_key: event.deliveryKey,
        payload_version: event.payloadVersion,
        resource_name: event.resourceName,
        event_type: event.eventType,
        resource_id: event.resourceId,
        event_at: event.eventAt,
        payload: stored.json,
        outcome,
        outcome_reason: reason,
      })
      .onConflict((oc) => oc.columns(['company_id', 'delivery_key']).doNothing())
      .returning('id')
      .executeTakeFirst();

    await db
      .updateTable('companies')
      .set({ webhook_last_delivery_at: sql`now()` })
      .where('id', '=', event.companyId)
      .where((eb) =>
        eb.or([
          eb('webhook_last_delivery_at', 'is', null),
          eb('webhook_last_delivery_at', '<', sql<Date>`now() - interval '1 second'`),
        ]),
      )
      .execute();

    if (!inserted) return reply.code(200).send({ status: 'duplicate' });
    if (outcome === 'queued' && opts.work) {
      try {
        await opts.work.enqueueUserChange(event.companyId, event.resourceId);
      } catch (err) {
        // Forget the delivery so Procore's retry is taken as new rather than lost as a duplicate.
        await db.deleteFrom('webhook_deliveries').where('id', '=', inserted.id).execute();
        request.log.error({ err }, 'could not queue webhook work');
        throw new AppError('procore_unavailable', 'The delivery could not be queued; Procore will retry it.');
      }
    }
    return reply.code(202).send({ status: outcome === 'queued' ? 'accepted' : 'ignored' });
  });
}

function classify(
  event: WebhookEvent,
  ownApplicationIds: readonly string[],
): { outcome: 'queued' | 'ignored'; reason: string | null } {
  if (event.resourceName !== COMPANY_USERS_RESOURCE) {
    return { outcome: 'ignored', reason: `Events for ${event.resourceName} are not used by Worker Sync.` };
  }
  if (event.sourceApplicationId && ownApplicationIds.includes(event.sourceApplicationId)) {
    return { outcome: 'ignored', reason: 'Caused by Worker Sync itself.' };
  }
  return { outcome: 'queued', reason: null };
}
