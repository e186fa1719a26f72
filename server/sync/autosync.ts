import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { JobQueue } from '../jobs/queue';
import { recoverInterruptedRuns } from './recover';
import { type RequestedRun, requestSync } from './sync.service';

/**
 * Autosync (design.md flow 5; seed.md "users will automatically sync once per hour"): one
 * schedule ticks every minute and fans out (style.md rule 15). A company is due when its minute
 * of the hour has come and it has had no auto run this hour. The claim is one conditional UPDATE
 * of `last_auto_sync_at`, so however many processes tick at once, PostgreSQL lets exactly one of
 * them move a company into this hour (the others' WHERE no longer matches the updated row).
 */
export const AUTOSYNC_TICK_JOB = 'sync-autosync-tick';
/** A full reconcile at least this often; hourly runs in between read only changed users. */
export const FULL_RECONCILE_EVERY_MS = 24 * 60 * 60_000;

/** Spreads companies over the hour (not all at :00): FNV-1a of the company id, mod 60. */
export function autosyncMinuteFor(companyId: string): number {
  let h = 0x811c9dc5;
  for (const ch of companyId) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 60;
}

export function hourStart(now: Date): Date {
  const d = new Date(now);
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/** Claims the companies due at `now`; each is returned to exactly one caller per hour. */
export function claimDueCompanies(db: Kysely<Database>, now: Date) {
  return db
    .updateTable('companies')
    .set({ last_auto_sync_at: now })
    .where('autosync', '=', true)
    .where('user_sync_enabled', '=', true)
    .where('connection_state', '=', 'connected')
    .where('autosync_minute', '<=', now.getUTCMinutes())
    .where((eb) => eb.or([eb('last_auto_sync_at', 'is', null), eb('last_auto_sync_at', '<', hourStart(now))]))
    .returning(['id', 'users_watermark', 'last_full_sync_at'])
    .execute();
}

export interface TickDeps {
  db: Kysely<Database>;
  queue: JobQueue;
  now?: () => Date;
  log?: { error(obj: object, msg: string): void };
}

export async function autosyncTick(deps: TickDeps): Promise<RequestedRun[]> {
  const now = deps.now?.() ?? new Date();
  // Recovery compares heartbeats, which runners write with the wall clock: not the tick's `now`.
  await recoverInterruptedRuns(deps).catch((err) => deps.log?.error({ err }, 'run recovery failed'));
  const due = await claimDueCompanies(deps.db, now);
  const runs: RequestedRun[] = [];
  for (const company of due) {
    const fullDue =
      !company.users_watermark ||
      !company.last_full_sync_at ||
      now.getTime() - company.last_full_sync_at.getTime() >= FULL_RECONCILE_EVERY_MS;
    try {
      runs.push(
        await requestSync(deps, {
          companyId: company.id,
          trigger: 'auto',
          mode: fullDue ? 'full' : 'incremental',
          startedByUserId: null,
          startedByName: null,
          now,
        }),
      );
    } catch (err) {
      deps.log?.error({ err, companyId: company.id }, 'autosync could not queue a run');
    }
  }
  return runs;
}

/** Sets a company's autosync minute if it still has the default (connect and settings call it). */
export async function spreadAutosyncMinute(db: Kysely<Database>, companyId: string): Promise<void> {
  await db
    .updateTable('companies')
    .set({ autosync_minute: autosyncMinuteFor(companyId) })
    .where('id', '=', companyId)
    .execute();
}
