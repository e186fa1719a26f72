import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors';
import type { Services } from '../services';
import { COMPANY_USERS_RESOURCE } from './hooks.service';
import { parseDelivery, storablePayload, type WebhookEvent } from './payload';

/** Procore's payloads are small; anything bigger is not a Procore webhook. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `POST /webhooks/procore` (design.md flow 4): authenticate, record, enqueue,
 * answer — no Procore call and no sync work on this path, so the 2xx goes out well inside
 * Procore's 5-second window (procore-api.md §6.3). The company's secret comes from memory and
 * the delivery goes to the intake (intake.ts), so on PGlite the answer never waits for the one
 * database connection, whatever the jobs are doing with it.
 */
export function webhookReceiverRoutes(services: Pick<Services, 'webhookIntake' | 'companies' | 'config'>) {
  const { webhookIntake, companies } = services;
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

      const presented = digest(request.headers.authorization ?? '');
      // An unknown company, a disconnected one and a wrong secret get the same answer: the
      // endpoint tells a caller without the secret nothing about which companies use the app.
      // A secret that does not match what is kept is checked against the database once more (a
      // hook registered anew by another process).
      if (
        !secretMatches(await companies.webhookSecret(event.companyId), presented) &&
        !secretMatches(await companies.webhookSecret(event.companyId, 1_000), presented)
      ) {
        request.log.warn(
          { companyId: event.companyId },
          'rejected a webhook delivery with an unknown company or secret',
        );
        throw new AppError('unauthorized', 'Unknown company or wrong Authorization for this webhook.');
      }

      const { outcome, reason } = classify(event, ownApplicationIds);
      let recorded: 'new' | 'duplicate';
      try {
        recorded = await webhookIntake.accept({
          event,
          json: stored.json,
          outcome,
          reason,
          receivedAt: new Date(),
        });
      } catch (err) {
        // Not recorded: Procore's retry is taken as new.
        request.log.error({ err }, 'could not record a webhook delivery');
        throw new AppError('procore_unavailable', 'The delivery could not be queued; Procore will retry it.');
      }
      if (recorded === 'duplicate') return reply.code(200).send({ status: 'duplicate' });
      return reply.code(202).send({ status: outcome === 'queued' ? 'accepted' : 'ignored' });
    });
  };
}

function secretMatches(
  company: { connection_state: string; webhook_secret_hash: string | null } | undefined,
  presented: Buffer,
): boolean {
  const expected =
    company?.connection_state === 'connected' && company.webhook_secret_hash
      ? Buffer.from(company.webhook_secret_hash, 'base64url')
      : null;
  return expected?.length === 32 && timingSafeEqual(presented, expected);
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
