import type { FieldChange } from '../db/database';
import { runTimesToApi } from '../runs/run-times';
import type { RunRow, TimesheetEntryRow } from '../runs/runs.service';
import { formatInZone, plainPunctuation } from '../sync/log-text';
import type { SendEntry, SendRun } from './send-log.schemas';

/** Rows → API objects, and the downloadable .txt of one timesheet send. */

export function sendRunToApi(run: RunRow): SendRun {
  return {
    id: run.id,
    number: run.number,
    trigger: run.trigger === 'auto' ? 'auto' : 'manual',
    startedBy: run.started_by_name,
    status: run.status === 'needs_review' ? 'failed' : run.status,
    statusReason: run.status_reason,
    scope: run.scope_project_id
      ? {
          projectId: run.scope_project_id,
          projectName: run.scope_project_name,
          from: run.scope_from ?? '',
          to: run.scope_to ?? '',
        }
      : null,
    ...runTimesToApi(run),
    counts: {
      created: run.created,
      updated: run.updated,
      unchanged: run.unchanged,
      skipped: run.skipped,
      failed: run.failed,
    },
  };
}

export function sendEntryToApi(row: TimesheetEntryRow): SendEntry {
  return {
    id: row.id,
    timesheetId: row.timesheet_id,
    workerId: row.worker_id,
    name: row.name,
    projectId: row.procore_project_id,
    projectName: row.project_name,
    date: row.work_date,
    hours: row.hours,
    procoreEntryId: row.procore_entry_id,
    action:
      row.action === 'created' ||
      row.action === 'updated' ||
      row.action === 'unchanged' ||
      row.action === 'skipped'
        ? row.action
        : 'failed',
    reasonCode: row.reason_code,
    reason: row.reason,
    changes: row.changes as FieldChange[],
  };
}

const SECTIONS: Array<{ title: string; action: SendEntry['action'] }> = [
  { title: 'Created in Procore', action: 'created' },
  { title: 'Updated in Procore', action: 'updated' },
  { title: 'Unchanged (already in Procore as they are)', action: 'unchanged' },
  { title: 'Not sent', action: 'skipped' },
  { title: 'Failed', action: 'failed' },
];

/**
 * The .txt like the user sync's: times in the viewer's zone, plain punctuation (sync/log-text.ts);
 * sections in a fixed order, and within one by project, date, then worker.
 */
export function renderSendLog(
  run: RunRow,
  companyName: string,
  entries: readonly SendEntry[],
  opts: { timeZone?: string } = {},
): string {
  const at = (d: Date | null) => formatInZone(d, opts.timeZone);
  const api = sendRunToApi(run);
  const out: string[] = [
    `Timesheet Sync Log — ${companyName}`,
    `Run #${run.number}: ${api.trigger === 'auto' ? 'Auto Sync Time Cards' : 'Sync Timesheets'}${run.started_by_name ? ` by ${run.started_by_name}` : ''}`,
  ];
  if (api.scope) {
    out.push(
      `Project: ${api.scope.projectName ?? api.scope.projectId} (Procore project ${api.scope.projectId}), ${api.scope.from} to ${api.scope.to}`,
    );
  } else {
    out.push('Scope: every timesheet not yet in Procore as it stands');
  }
  out.push(
    `Queued ${at(run.queued_at)} - started ${at(run.started_at)} - finished ${at(run.finished_at)}`,
    `Status: ${run.status}${run.status_reason ? ` — ${run.status_reason}` : ''}`,
    `Timesheets: ${entries.length} · created ${api.counts.created} · updated ${api.counts.updated} · unchanged ${api.counts.unchanged} · not sent ${api.counts.skipped} · failed ${api.counts.failed}`,
  );
  const sorted = [...entries].sort(
    (a, b) =>
      (a.projectName ?? '').localeCompare(b.projectName ?? '') ||
      (a.date ?? '').localeCompare(b.date ?? '') ||
      a.name.localeCompare(b.name) ||
      Number(a.id) - Number(b.id),
  );
  for (const section of SECTIONS) {
    const list = sorted.filter((e) => e.action === section.action);
    if (list.length === 0) continue;
    out.push('', `${section.title} (${list.length})`);
    for (const e of list) {
      const parts = [
        `${e.date ?? '—'}  ${e.name}  ${e.hours ?? '—'} h  ${e.projectName ?? `project ${e.projectId}`}`,
      ];
      if (e.procoreEntryId) parts.push(`Procore entry ${e.procoreEntryId}`);
      if (e.changes.length > 0) {
        parts.push(e.changes.map((c) => `${c.field} "${c.from ?? ''}" → "${c.to ?? ''}"`).join('; '));
      }
      if (e.reason) parts.push(e.reason);
      out.push(`  ${parts.join(' — ')}`);
    }
  }
  return plainPunctuation(`${out.join('\n')}\n`);
}
