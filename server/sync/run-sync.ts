import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { markUninstalled } from '../install/disconnect.service';
import { isProcoreError } from '../procore/errors';
import { findCompanyForSync } from './company-sync.repository';
import type { DirectoryFactory } from './directory';
import { runPagedSync } from './full-sync';
import { claimRun, finishRun, heartbeat, type RunRow } from './runs.repository';

/**
 * Runs one queued run to its end: claim it (queued → running, once), keep a heartbeat while it
 * works so a crashed process's run is recognised (recover.ts), and end it `failed` with a reason
 * an admin can act on when Procore or the database stops it.
 */
export interface RunnerDeps {
  db: Kysely<Database>;
  directoryFor: DirectoryFactory;
  /** Injectable clock (tests compress time). */
  now?: () => Date;
  heartbeatMs?: number;
  log?: { error(obj: object, msg: string): void };
}

export const DEFAULT_HEARTBEAT_MS = 5_000;

export async function executeRun(
  deps: RunnerDeps,
  companyId: string,
  runId: string,
): Promise<RunRow | undefined> {
  const now = deps.now ?? (() => new Date());
  const run = await claimRun(deps.db, companyId, runId, now());
  if (!run) return undefined; // already run, cancelled or marked failed: nothing to do
  const company = await findCompanyForSync(deps.db, companyId);
  if (!company)
    return finishRun(deps.db, companyId, runId, {
      status: 'failed',
      reason: 'Company not found',
      now: now(),
    });
  if (!company.user_sync_enabled) {
    return finishRun(deps.db, companyId, runId, {
      status: 'canceled',
      reason: 'User sync is turned off for this company',
      now: now(),
    });
  }

  const abort = new AbortController();
  const beat = setInterval(() => {
    // If someone else ended the run (recovery thought us dead), stop reading Procore.
    heartbeat(deps.db, companyId, runId, now())
      .then((alive) => {
        if (!alive) abort.abort();
      })
      .catch(() => {});
  }, deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  try {
    const directory = await deps.directoryFor({ id: company.id, name: company.name });
    return await runPagedSync({ db: deps.db, directory, company, run, now, signal: abort.signal });
  } catch (err) {
    deps.log?.error({ err, companyId, runId }, 'sync run failed');
    const finished = await finishRun(deps.db, companyId, runId, {
      status: 'failed',
      reason: failureReason(err),
      now: now(),
    });
    // 403 "App is not connected to this company": the app was uninstalled (procore-api.md §1.4).
    if (isProcoreError(err) && err.code === 'not_connected') await markUninstalled(deps.db, companyId);
    return finished;
  } finally {
    clearInterval(beat);
  }
}

/** The sentence a failed run shows. Procore errors are already written for an admin. */
export function failureReason(err: unknown): string {
  if (isProcoreError(err)) {
    switch (err.code) {
      case 'unauthorized':
      case 'not_connected':
        return `Procore refused access: ${err.message} Reconnect the app from the Connection page.`;
      case 'rate_limited':
      case 'unavailable':
        return `${err.message} The next sync will pick up where this one stopped.`;
      default:
        return err.message;
    }
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return 'Interrupted by a restart; the next sync picks up where it left off';
  }
  return 'The sync stopped on an unexpected error; the next sync will pick up where this one stopped.';
}
