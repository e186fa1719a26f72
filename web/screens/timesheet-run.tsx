import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import type { SendEntry, SendRun } from '../api-types';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { useApp } from '../context';
import { formatDateTime } from '../lib/format';
import { asApiError, type Remote } from '../models/remote';
import { SendDownload, SendStatusPill } from './timesheets';

const ACTIONS: Array<[SendEntry['action'], string, string]> = [
  ['created', 'Created', 'green'],
  ['updated', 'Updated', 'green'],
  ['unchanged', 'Unchanged', 'gray'],
  ['skipped', 'Not sent', 'yellow'],
  ['failed', 'Failed', 'red'],
];

/** One timesheet send: its counts, and an entry per timesheet with the reason, searchable. */
export function TimesheetRunScreen() {
  const { api, href } = useApp();
  const { params } = useRoute();
  const runId = params.runId ?? '';
  const run = useSignal<Remote<SendRun>>({ status: 'loading' });
  const entries = useSignal<Remote<SendEntry[]>>({ status: 'loading' });
  const q = useSignal('');
  const action = useSignal<SendEntry['action'] | ''>('');

  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const r = (await api.getSend(runId)).run;
        run.value = { status: 'ready', data: r };
        const list = await api.listSendEntries(runId, {
          q: q.peek() || undefined,
          action: action.peek() || undefined,
          limit: 500,
        });
        entries.value = { status: 'ready', data: list.entries };
        if (!stop && (r.status === 'queued' || r.status === 'running')) setTimeout(load, 1_500);
      } catch (err) {
        run.value = { status: 'error', error: asApiError(err) };
      }
    };
    void load();
    return () => {
      stop = true;
    };
  }, [runId, q.value, action.value]);

  const r = run.value;
  return (
    <div class="timesheet-run">
      <p class="back">
        <a href={href('/timesheets')}>‹ Timesheets</a>
      </p>
      {r.status === 'loading' && <Loading label="Loading the sync…" />}
      {r.status === 'error' && (
        <ErrorBanner error={r.error} what="This timesheet sync could not be loaded." />
      )}
      {r.status === 'ready' && (
        <>
          <div class="page-head">
            <div class="page-head__text">
              <h2 class="page-title">
                Timesheet sync #{r.data.number} of {formatDateTime(r.data.startedAt ?? r.data.queuedAt)}
              </h2>
              <p class="page-lead">
                {r.data.scope
                  ? `${r.data.scope.projectName ?? `Project ${r.data.scope.projectId}`}, ${r.data.scope.from} – ${r.data.scope.to}`
                  : 'Every timesheet not yet in Procore'}
                {r.data.startedBy ? ` · started by ${r.data.startedBy}` : ' · Auto Sync Time Cards'}
              </p>
            </div>
            <div class="page-head__tools">
              <SendStatusPill status={r.data.status} />
              <SendDownload run={r.data} />
            </div>
          </div>
          {r.data.statusReason && <p class="stale">{r.data.statusReason}</p>}
          <dl class="stats">
            {ACTIONS.map(([key, label]) => (
              <div class="stat" key={key}>
                <dt>{label}</dt>
                <dd>{r.data.counts[key]}</dd>
              </div>
            ))}
          </dl>
          <div class="filters">
            <label class="field field--grow">
              <span class="field__label">Search</span>
              <input
                class="input"
                type="search"
                placeholder="Worker or project"
                value={q.value}
                onChange={(e) => {
                  q.value = (e.target as HTMLInputElement).value;
                }}
              />
            </label>
            <label class="field">
              <span class="field__label">Result</span>
              <select
                class="input"
                value={action.value}
                onChange={(e) => {
                  action.value = (e.target as HTMLSelectElement).value as SendEntry['action'] | '';
                }}
              >
                <option value="">All</option>
                {ACTIONS.map(([key, label]) => (
                  <option key={key} value={key}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {entries.value.status === 'ready' && (
            <div class="table-wrap">
              <table class="data-table data-table--stack">
                <caption class="visually-hidden">One entry per timesheet</caption>
                <thead>
                  <tr>
                    <th scope="col">Worker</th>
                    <th scope="col">Date</th>
                    <th scope="col">Project</th>
                    <th scope="col" class="num">
                      Hours
                    </th>
                    <th scope="col">Result</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.value.data.map((e) => {
                    const a = ACTIONS.find(([k]) => k === e.action)!;
                    return (
                      <tr key={e.id} data-entry-id={e.id}>
                        <th scope="row" data-label="Worker">
                          {e.name}
                        </th>
                        <td data-label="Date">{e.date}</td>
                        <td data-label="Project">{e.projectName ?? e.projectId}</td>
                        <td data-label="Hours" class="num">
                          {e.hours}
                        </td>
                        <td data-label="Result">
                          <span class={`pill pill--${a[2]}`}>{a[1]}</span>
                          {e.procoreEntryId && <span class="muted"> · entry {e.procoreEntryId}</span>}
                        </td>
                        <td data-label="Reason">
                          {e.reason ??
                            (e.changes.length > 0
                              ? e.changes
                                  .map((c) => `${c.field}: ${c.from ?? '—'} → ${c.to ?? '—'}`)
                                  .join('; ')
                              : '')}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}
