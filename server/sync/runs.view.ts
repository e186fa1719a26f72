import type { FieldChange } from '../db/database';
import { runTimesToApi } from '../runs/run-times';
import type { EntryDraft, EntryRow, RunRow } from '../runs/runs.service';
import type { RunMatch, SyncEntry, SyncRun } from './sync.schemas';

/** Rows → API objects (rows never reach the HTTP layer). */
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function runToApi(run: RunRow): SyncRun {
  return {
    id: run.id,
    number: run.number,
    trigger: run.trigger,
    mode: run.mode,
    startedBy: run.started_by_name,
    status: run.status,
    statusReason: run.status_reason,
    ...runTimesToApi(run),
    counts: {
      created: run.created,
      updated: run.updated,
      unchanged: run.unchanged,
      deactivated: run.deactivated,
      reactivated: run.reactivated,
      skipped: run.skipped,
      failed: run.failed,
      warnings: run.warnings,
      wouldDeactivate: run.would_deactivate,
    },
    reviewedBy: run.reviewed_by_name,
    reviewedAt: iso(run.reviewed_at),
  };
}

export function entryToApi(row: EntryRow): SyncEntry {
  return {
    id: row.id,
    procoreUserId: row.procore_user_id,
    workerId: row.worker_id,
    name: row.name,
    email: row.email,
    action: row.action,
    reasonCode: row.reason_code,
    reason: row.reason,
    changes: row.changes as FieldChange[],
    warnings: row.warnings as string[],
  };
}

export function matchToApi(
  row: Pick<EntryRow, 'procore_user_id' | 'name' | 'email' | 'action' | 'reason'>,
): RunMatch {
  return {
    procoreUserId: row.procore_user_id,
    name: row.name,
    email: row.email,
    action: row.action,
    reason: row.reason,
  };
}

export function draftToApi(d: EntryDraft): SyncEntry {
  return { id: null, ...d };
}
