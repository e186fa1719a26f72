import type { SyncRun } from '../api-types';
import { useApp } from '../context';
import { durationOf, formatDateTime, formatDuration, syncedBreakdown, syncedCount } from '../lib/format';
import { DownloadButton } from './download-button';
import { RunStatusPill, TRIGGER_LABEL } from './status-pill';

/**
 * User Sync Logs: one row per run, newest first. Below 640 px each row becomes a card
 * (`data-label` gives every value its column name), which reads better in a narrow frame than a
 * table scrolled sideways.
 */
export function LogsTable({ runs }: { runs: SyncRun[] }) {
  const { href } = useApp();
  return (
    <div class="table-wrap">
      <table class="data-table data-table--stack">
        <caption class="visually-hidden">User Sync Logs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Date and time</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started by</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Synced
            </th>
            <th scope="col" class="num">
              Skipped
            </th>
            <th scope="col" class="num">
              Failed
            </th>
            <th scope="col">Duration</th>
            <th scope="col">
              <span class="visually-hidden">Log file</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              <th scope="row" data-label="Date and time">
                <a href={href(`/runs/${run.id}`)}>{formatDateTime(run.startedAt ?? run.queuedAt)}</a>
              </th>
              <td data-label="Trigger">{TRIGGER_LABEL[run.trigger]}</td>
              <td data-label="Started by">{startedBy(run)}</td>
              <td data-label="Status">
                <RunStatusPill status={run.status} />
                {run.status === 'running' && run.progress.total ? (
                  <span class="muted"> {Math.floor((100 * run.progress.seen) / run.progress.total)}%</span>
                ) : null}
              </td>
              <td data-label="Synced" class="num" title={syncedBreakdown(run.counts)}>
                {syncedCount(run.counts).toLocaleString()}
              </td>
              <td data-label="Skipped" class="num">
                {run.counts.skipped.toLocaleString()}
              </td>
              <td data-label="Failed" class={`num${run.counts.failed ? ' text-danger' : ''}`}>
                {run.counts.failed.toLocaleString()}
              </td>
              <td data-label="Duration">
                {run.status === 'running' || run.status === 'queued'
                  ? 'In progress'
                  : formatDuration(durationOf(run))}
              </td>
              <td data-label="Log">
                <DownloadButton run={run} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Who started a run, in the admin's words: a person, or what started it by itself. */
export function startedBy(run: SyncRun): string {
  if (run.startedBy) return run.startedBy;
  if (run.trigger === 'auto') return 'Hourly Autosync';
  if (run.trigger === 'webhook') return 'Change in Procore';
  return '—';
}
