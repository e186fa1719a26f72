import type { RunList, SyncRun } from '../api-types';
import { useApp } from '../context';
import { changesSummary, countsSentence, durationOf, formatDateTime, formatDuration } from '../lib/format';
import { DownloadButton } from './download-button';
import { EntryPill, RunStatusPill, TRIGGER_LABEL } from './status-pill';
import './logs-table.css';

/** A run as a search across runs answers it: with the people it touched who match. */
export type ListedRun = RunList['runs'][number];

/**
 * User Sync Logs: one row per run, newest first. Below 640 px each row becomes a card
 * (`data-label` gives every value its column name), which reads better in a narrow frame than a
 * table scrolled sideways. With `person`, a column shows each run's result for the people found.
 */
export function LogsTable({ runs, person }: { runs: ListedRun[]; person?: string }) {
  const { href } = useApp();
  return (
    <div class="table-wrap">
      <table class="data-table data-table--stack">
        <caption class="visually-hidden">
          {person ? `Syncs that touched “${person}”, newest first` : 'User Sync Logs, newest first'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Date and time</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started by</th>
            <th scope="col">Status</th>
            {person ? (
              <th scope="col">Result for “{person}”</th>
            ) : (
              <>
                <th scope="col">Changes</th>
                <th scope="col" class="num">
                  Unchanged
                </th>
              </>
            )}
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
              <th scope="row" data-label="Run">
                <a href={href(`/runs/${run.id}`)} aria-label={`Run #${run.number}, ${whenOf(run)}`}>
                  #{run.number}
                </a>
              </th>
              <td data-label="Date and time">{whenOf(run)}</td>
              <td data-label="Trigger">{TRIGGER_LABEL[run.trigger]}</td>
              <td data-label="Started by">{startedBy(run)}</td>
              <td data-label="Status">
                <RunStatusPill status={run.status} />
                {run.status === 'running' && run.progress.total ? (
                  <span class="muted"> {Math.floor((100 * run.progress.seen) / run.progress.total)}%</span>
                ) : null}
              </td>
              {person ? (
                <td data-label="Result" data-wide>
                  <Matches run={run} />
                </td>
              ) : (
                <>
                  <td data-label="Changes" title={countsSentence(run.counts)}>
                    {changesSummary(run.counts)}
                  </td>
                  <td data-label="Unchanged" class="num">
                    {run.counts.unchanged.toLocaleString()}
                  </td>
                </>
              )}
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

const whenOf = (run: SyncRun) => formatDateTime(run.startedAt ?? run.queuedAt);

/** The people of a searched run who match, each with what the run did with them. */
function Matches({ run }: { run: ListedRun }) {
  const matches = run.matches ?? [];
  return (
    <ul class="matches">
      {matches.map((m) => (
        <li key={m.procoreUserId}>
          <EntryPill action={m.action} /> <span class="matches__name">{m.name}</span>
          {m.email && <span class="muted"> {m.email}</span>}
          {m.reason && <span class="matches__reason muted"> — {m.reason}</span>}
        </li>
      ))}
      {matches.length >= 5 && <li class="muted">Open the run for everyone who matches.</li>}
    </ul>
  );
}

/** Who started a run, in the admin's words: a person, or what started it by itself. */
export function startedBy(run: SyncRun): string {
  if (run.startedBy) return run.startedBy;
  if (run.trigger === 'auto') return 'Hourly Autosync';
  if (run.trigger === 'webhook') return 'Change in Procore';
  return '—';
}
