import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { purgeResolvedAlerts } from '../alerts/alerts.service';
import type { Database } from '../db/database';
import { purgeSpentOAuthRecords } from '../install/oauth-retention.service';
import { defineJob } from '../jobs/job';
import { purgeFinishedRuns } from '../runs/runs.service';
import { purgeSettledDeliveries } from '../webhooks/deliveries.service';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long each record is kept (README "Retention"). Each table is purged by its owner; this job
 * only says when and how old.
 */
export const RETENTION = {
  /** OAuth states and one-time codes, once used or expired: nothing can use them again. */
  oauthDays: 1,
  /** Webhook deliveries once settled (applied, ignored, failed, dropped). */
  deliveriesDays: 30,
  /** Finished runs and their entries… */
  runsDays: 90,
  /** …except each company's newest runs, kept whatever their age. */
  keepLatestRuns: 50,
  /** Problems that cleared (and whose e-mails went out). */
  alertsDays: 90,
} as const;

export interface RetentionDeps {
  db: Kysely<Database>;
  now: () => Date;
  log: FastifyBaseLogger;
}

export interface Purged {
  oauth: number;
  deliveries: number;
  runs: number;
  alerts: number;
}

export async function purgeExpiredRecords(deps: RetentionDeps): Promise<Purged> {
  const now = deps.now().getTime();
  const ago = (days: number) => new Date(now - days * DAY_MS);
  const purged = {
    oauth: await purgeSpentOAuthRecords(deps.db, ago(RETENTION.oauthDays)),
    deliveries: await purgeSettledDeliveries(deps.db, ago(RETENTION.deliveriesDays)),
    runs: await purgeFinishedRuns(deps.db, ago(RETENTION.runsDays), RETENTION.keepLatestRuns),
    alerts: await purgeResolvedAlerts(deps.db, ago(RETENTION.alertsDays)),
  };
  deps.log.info({ purged }, 'retention: purged expired records');
  return purged;
}

/** Once a day, across every process (pg-boss keeps a schedule single), at a quiet hour. */
export const retentionJob = defineJob({
  name: 'retention',
  payload: z.object({}).passthrough(),
  schedule: '17 3 * * *',
  send: { retryLimit: 2, retryDelay: 300 },
  handle: async (_payload, deps: RetentionDeps) => {
    await purgeExpiredRecords(deps);
    // The planner's statistics after the day's growth and the purge: the embedded database has no
    // autovacuum to refresh them (on PostgreSQL this repeats what autovacuum does).
    await sql`analyze`.execute(deps.db);
  },
});
