import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors';
import type { Services } from '../services';
import { forgetDelivery, insertDelivery } from './deliveries.repository';
import { COMPANY_USERS_RESOURCE } from './hooks.service';
import { parseDelivery, storablePayload, type WebhookEvent } from './payload';
import { userChangeKey, webhookUserChangeJob } from './webhook-user-change.job';

/** Procore's payloads are small; anything bigger is not a Procore webhook. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `POST /webhooks/procore` (design.md flow 4): authenticate, record, enqueue,
 * answer — no Procore call and no sync work on this path, so the 2xx goes out well inside
 * Procore's 5-second window (procore-api.md §6.3).
 */
export function webhookReceiverRoutes(services: Pick<Services, 'db' | 'jobs' | 'companies' | 'config'>) {
  const { db, jobs, companies } = services;
  // Our own app's id in Procore: events it caused are stored and ignored (procore-api.md §6.3).
  const ownApplicationIds = [services.config.procore.clientId];
  return async function webhookReceiverPlugin(app: FastifyInstance) {
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

      const company = await companies.webhookSecret(event.companyId);
      const presented = request.headers.authorization ?? '';
      // An unknown company, a disconnected one and a wrong secret get the same answer: the
      // endpoint tells a caller without the secret nothing about which companies use the app.
      const expected =
        company?.connection_state === 'connected' && company.webhook_secret_hash
          ? Buffer.from(company.webhook_secret_hash, 'base64url')
          : null;
      if (expected?.length !== 32 || !timingSafeEqual(digest(presented), expected)) {
        request.log.warn(
          { companyId: event.companyId },
          'rejected a webhook delivery with an unknown company or secret',
        );
        throw new AppError('unauthorized', 'Unknown company or wrong Authorization for this webhook.');
      }

      const { outcome, reason } = classify(event, ownApplicationIds);
      const inserted = await insertDelivery(db, event, { json: stored.json, outcome, reason });
      await companies.noteWebhookDelivery(event.companyId);

      if (!inserted) return reply.code(200).send({ status: 'duplicate' });
      if (outcome === 'queued') {
        try {
          const { companyId, resourceId: userId } = event;
          await jobs.send(
            webhookUserChangeJob,
            { companyId, userId },
            { singletonKey: userChangeKey(companyId, userId) },
          );
        } catch (err) {
          // Forget the delivery so Procore's retry is taken as new rather than lost as a duplicate.
          await forgetDelivery(db, event.companyId, inserted.id);
          request.log.error({ err }, 'could not queue webhook work');
          throw new AppError(
            'procore_unavailable',
            'The delivery could not be queued; Procore will retry it.',
          );
        }
      }
      return reply.code(202).send({ status: outcome === 'queued' ? 'accepted' : 'ignored' });
    });
  };
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
