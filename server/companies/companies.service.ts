import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { AppError, notFound } from '../errors';
import type { CompanySession, ProcoreClient } from '../procore/client';
import { classifyFailure } from '../procore/failure-policy';
import { stopActiveRuns } from '../runs/runs.service';
import * as repo from './companies.repository';

/**
 * The companies that connected the app: who they are, whether they are connected, and how the
 * app reaches Procore for each (design.md flow 2). Every feature asks here; none reads the table.
 */
export type Company = repo.CompanyRow;
export const findCompany = repo.findCompany;

export const UNINSTALLED_REASON =
  'Worker Sync was uninstalled from this company in Procore. A company admin can connect it again.';

/** What every refused Procore use of a disconnected company says (Sync, Preview, sessions). */
export function disconnectedMessage(companyName: string): string {
  return `Worker Sync is disconnected from ${companyName}. Connect it again to sync.`;
}

/** Records that deliveries arrived for these companies (hook health), in the caller's transaction. */
export const noteWebhookDeliveries = repo.touchWebhookDeliveries;

/** A company's connection state and webhook secret hash as the receiver checks them. */
type WebhookSecret = Awaited<ReturnType<typeof repo.findWebhookSecret>>;

/** A kept secret read longer ago than this is read again in the background when next used. */
const SECRET_REFRESH_MS = 5_000;
const SECRET_CACHE_MAX = 10_000;

/**
 * Webhook secrets kept in memory, so the receiver answers without waiting for the database (on
 * PGlite, the one connection may be busy with a sync's page for a second). A change made through
 * this service (connect, disconnect, a new hook) takes effect at once; one made by another
 * process once a background read (after SECRET_REFRESH_MS) has seen it, or at once when the
 * receiver asks again with a short `maxAgeMs` because the presented secret does not match.
 */
function webhookSecretCache(db: Kysely<Database>) {
  const kept = new Map<string, { value: WebhookSecret; readAt: number }>();
  const reads = new Map<string, Promise<WebhookSecret>>();
  const read = (companyId: string): Promise<WebhookSecret> => {
    const inFlight = reads.get(companyId);
    if (inFlight) return inFlight;
    const readAt = Date.now();
    const reading: Promise<WebhookSecret> = repo.findWebhookSecret(db, companyId).then(
      (value) => {
        // Forgotten meanwhile (a change made here): what this read saw may be older.
        if (reads.get(companyId) === reading) {
          reads.delete(companyId);
          if (kept.size >= SECRET_CACHE_MAX) kept.clear();
          kept.set(companyId, { value, readAt });
        }
        return value;
      },
      (err: unknown) => {
        if (reads.get(companyId) === reading) reads.delete(companyId);
        throw err;
      },
    );
    reads.set(companyId, reading);
    return reading;
  };
  return {
    get(companyId: string, maxAgeMs: number): Promise<WebhookSecret> {
      const entry = kept.get(companyId);
      const age = entry ? Date.now() - entry.readAt : Number.POSITIVE_INFINITY;
      if (!entry || age > maxAgeMs) return read(companyId);
      if (age > SECRET_REFRESH_MS) read(companyId).catch(() => {});
      return Promise.resolve(entry.value);
    },
    forget(companyId: string): void {
      kept.delete(companyId);
      reads.delete(companyId);
    },
  };
}

/** Told when a company was disconnected (Disconnect or uninstall), after the row says so. */
export type DisconnectListener = (companyId: string) => Promise<void>;

export function createCompaniesService(deps: { db: Kysely<Database>; procore: ProcoreClient }) {
  const { db, procore } = deps;
  const disconnectListeners: DisconnectListener[] = [];
  const secrets = webhookSecretCache(db);

  async function markDisconnected(companyId: string, reason: string): Promise<boolean> {
    await stopActiveRuns(db, companyId, reason);
    const changed = await repo.markDisconnected(db, companyId, reason);
    secrets.forget(companyId);
    if (changed) for (const listener of disconnectListeners) await listener(companyId);
    return changed;
  }

  async function markUninstalled(companyId: string): Promise<void> {
    await markDisconnected(companyId, UNINSTALLED_REASON);
    await procore.tokens.forgetCompany(companyId);
  }

  return {
    find: (companyId: string) => repo.findCompany(db, companyId),

    async require(companyId: string): Promise<Company> {
      const company = await repo.findCompany(db, companyId);
      if (!company) throw notFound('This company');
      return company;
    },

    listConnectedIds: (among?: readonly string[]) => repo.listConnectedCompanyIds(db, among),

    /**
     * Background calls for a company: its service account when the app was installed with one,
     * else the connecting admin's stored token.
     */
    async procoreFor(companyId: string): Promise<CompanySession> {
      const company = await repo.findCompany(db, companyId);
      // After Disconnect nothing reaches Procore for the company, whoever asks (Sync, Preview, a
      // job queued before it): the tokens are revoked and the admin chose to stop.
      if (company?.connection_state === 'disconnected') {
        throw new AppError('not_connected', disconnectedMessage(company.name));
      }
      return procore.forCompany(companyId, {
        auth: company?.access_mode === 'user_token' ? 'user' : 'service',
      });
    },

    async saveConnected(company: repo.ConnectedCompany) {
      await repo.upsertConnectedCompany(db, company);
      secrets.forget(company.id);
    },
    async setWebhook(companyId: string, hookId: string | null, secretHash: string | null) {
      await repo.setWebhook(db, companyId, hookId, secretHash);
      secrets.forget(companyId);
    },
    /**
     * The company's state and webhook secret hash for the receiver: from memory when it was read
     * less than `maxAgeMs` ago (any time, by default), else from the database (`webhookSecretCache`).
     */
    webhookSecret: (companyId: string, maxAgeMs = Number.POSITIVE_INFINITY) =>
      secrets.get(companyId, maxAgeMs),

    /**
     * Stops the company's pending runs and marks it disconnected, bumping its session epoch so
     * every session of the company is refused at once; keeps workers and logs.
     */
    markDisconnected,

    /** Runs `listener` after each disconnect (the sessions end theirs: server/auth). */
    afterDisconnect(listener: DisconnectListener): void {
      disconnectListeners.push(listener);
    },

    /**
     * Procore answered 403 "App is not connected to this company" (procore-api.md §1.4): the app
     * was uninstalled. The company is disconnected the same way, without calling Procore again.
     */
    markUninstalled,

    /**
     * The one place a Procore failure changes a company's state: "uninstalled" disconnects it.
     * True when that happened.
     */
    async noteProcoreFailure(companyId: string, err: unknown): Promise<boolean> {
      if (classifyFailure(err).kind !== 'uninstalled') return false;
      await markUninstalled(companyId);
      return true;
    },
  };
}

export type CompaniesService = ReturnType<typeof createCompaniesService>;
