import { useModel, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { SendRun, Timesheet, TimesheetStatus } from '../api-types';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Setting } from '../components/settings-controls';
import { useApp } from '../context';
import { saveFile } from '../lib/download';
import { formatDateTime } from '../lib/format';
import { asApiError } from '../models/remote';
import { TimesheetsModel } from '../models/timesheets.model';
import { CellEditor } from './timesheet-cell-editor';
import './timesheets.css';

const WHY_ID = 'timesheets-admin-why';

const STATE: Record<TimesheetStatus, [string, string]> = {
  unsent: ['Not sent', 'gray'],
  sending: ['Sending', 'blue'],
  sent: ['Sent', 'green'],
  changed: ['Edited', 'yellow'],
  skipped: ['Not sent', 'yellow'],
  failed: ['Failed', 'red'],
};

const dayLabel = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, {
    weekday: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
const rangeLabel = (days: string[]) => {
  const f = (d: string) =>
    new Date(`${d}T00:00:00Z`).toLocaleDateString(undefined, {
      month: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    });
  return `${f(days[0]!)} – ${f(days[6]!)}, ${days[6]!.slice(0, 4)}`;
};

/**
 * Timesheets (design.md flow 6): a week grid per Procore project, the way a foreman checks a week
 * before sending; Sync Timesheets sends it; Timesheet Sync Logs below, as User Sync Logs.
 */
export function TimesheetsScreen() {
  const { api, me } = useApp();
  const model = useModel(() => new TimesheetsModel(api));
  useEffect(() => () => model.dispose(), [model]);
  const isAdmin = me.isAdmin.value;
  const projects = model.projects.value;
  const active = model.activeSend.value;
  const sendState = model.sendState.value;

  return (
    <div class="timesheets">
      <div class="page-head">
        <div class="page-head__text">
          <h2 class="page-title">Timesheets</h2>
          <p class="page-lead">
            Each worker's hours per day on a Procore project. Sync Timesheets sends the week to Procore as
            timecard entries; sending again updates them and never makes a second one.
          </p>
        </div>
        <div class="page-head__tools">
          <TimesheetSettings disabledReasonId={isAdmin ? null : WHY_ID} />
          {!isAdmin && (
            <p id={WHY_ID} class="page-head__why">
              Only a Procore company admin can send timesheets or change these settings.
            </p>
          )}
        </div>
      </div>

      {projects.status === 'loading' && <Loading label="Loading your Procore projects…" />}
      {projects.status === 'error' && (
        <ErrorBanner error={projects.error} what="Your Procore projects could not be loaded." />
      )}
      {projects.status === 'ready' && projects.data.length === 0 && (
        <EmptyState title="No projects.">Worker Sync sees no active project in Procore.</EmptyState>
      )}
      {projects.status === 'ready' && projects.data.length > 0 && (
        <section class="panel ts-panel" aria-labelledby="ts-grid-title">
          <div class="ts-toolbar">
            <h3 id="ts-grid-title" class="visually-hidden">
              Week grid
            </h3>
            <label class="field ts-project">
              <span class="field__label">Project</span>
              <select
                class="input"
                value={model.projectId.value ?? ''}
                onChange={(e) => model.selectProject((e.target as HTMLSelectElement).value)}
              >
                {projects.data.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.projectNumber ? `${p.projectNumber} · ` : ''}
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <fieldset class="ts-week">
              <legend class="visually-hidden">Week</legend>
              <button
                type="button"
                class="core-button core-button--secondary core-button--md"
                onClick={() => model.moveWeek(-1)}
                aria-label="Previous week"
              >
                ‹
              </button>
              <span class="ts-week__label">{rangeLabel(model.days.value)}</span>
              <button
                type="button"
                class="core-button core-button--secondary core-button--md"
                onClick={() => model.moveWeek(1)}
                aria-label="Next week"
              >
                ›
              </button>
            </fieldset>
            <span class="ts-grow" />
            <div class="button-row">
              <button
                type="button"
                class="core-button core-button--secondary core-button--md"
                onClick={() => model.approveWeek()}
              >
                Approve week
              </button>
              <button
                type="button"
                class="core-button core-button--primary core-button--md"
                disabled={!isAdmin || sendState.status === 'busy' || active !== null}
                aria-describedby={isAdmin ? undefined : WHY_ID}
                onClick={() => model.send()}
              >
                {active ? 'Sending…' : sendState.status === 'busy' ? 'Starting…' : 'Sync Timesheets'}
              </button>
            </div>
          </div>
          {sendState.status === 'error' && (
            <p class="ts-error" role="alert">
              {sendState.message}
            </p>
          )}
          {model.cellError.value && (
            <p class="ts-error" role="alert">
              {model.cellError.value}
            </p>
          )}
          <WeekGrid model={model} />
        </section>
      )}

      <h2 class="page-title ts-logs-title">Timesheet Sync Logs</h2>
      <SendLogs model={model} />
    </div>
  );
}

function WeekGrid({ model }: { model: TimesheetsModel }) {
  const ts = model.timesheets.value;
  const workers = model.workers.value;
  const days = model.days.value;
  const rows = model.rows.value;
  const editing = useSignal<{ workerId: string; day: string } | null>(null);
  if (ts.status === 'loading' || workers.status === 'loading') return <Loading label="Loading the week…" />;
  if (ts.status === 'error') return <ErrorBanner error={ts.error} what="The week could not be loaded." />;
  const list = ts.data;
  const cell = (workerId: string, day: string) => list.find((t) => t.workerId === workerId && t.date === day);
  const others =
    workers.status === 'ready' ? workers.data.filter((w) => !rows.some((r) => r.id === w.id)) : [];
  const dayTotal = (day: string) =>
    list.filter((t) => t.date === day).reduce((s, t) => s + Number(t.hours), 0);
  return (
    <>
      <div class="table-wrap ts-scroll">
        <table class="data-table ts-grid">
          <caption class="visually-hidden">
            Hours per worker and day; each cell says whether it is in Procore
          </caption>
          <thead>
            <tr>
              <th scope="col" class="ts-name">
                Worker
              </th>
              {days.map((d) => (
                <th key={d} scope="col" class="num">
                  {dayLabel(d)}
                </th>
              ))}
              <th scope="col" class="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={9} class="muted">
                  No time recorded this week. Add a worker below to start.
                </td>
              </tr>
            )}
            {rows.map((w) => {
              const total = list.filter((t) => t.workerId === w.id).reduce((s, t) => s + Number(t.hours), 0);
              return (
                <tr key={w.id} data-worker-id={w.id}>
                  <th scope="row" class="ts-name">
                    {w.firstName} {w.lastName}
                    <span class="ts-source">{w.source === 'local' ? 'Local worker' : 'Procore user'}</span>
                  </th>
                  {days.map((d) => (
                    <Cell
                      key={`${w.id}-${d}-${cell(w.id, d)?.updatedAt ?? ''}`}
                      t={cell(w.id, d)}
                      label={`${w.firstName} ${w.lastName}, ${dayLabel(d)}`}
                      codeOf={(id) =>
                        model.costCodes.value.status === 'ready'
                          ? model.costCodes.value.data.find((c) => c.id === id)?.code
                          : undefined
                      }
                      editing={editing.value?.workerId === w.id && editing.value.day === d}
                      onSave={(text) => model.saveCell(w.id, d, text)}
                      onEdit={() => {
                        editing.value = { workerId: w.id, day: d };
                      }}
                    />
                  ))}
                  <td class="num ts-total">{total.toFixed(2)}</td>
                </tr>
              );
            })}
          </tbody>
          {rows.length > 0 && (
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                {days.map((d) => (
                  <td key={d} class="num">
                    {dayTotal(d).toFixed(2)}
                  </td>
                ))}
                <td class="num ts-total">{list.reduce((s, t) => s + Number(t.hours), 0).toFixed(2)}</td>
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      {editing.value &&
        (() => {
          const { workerId, day } = editing.value;
          const w = rows.find((r) => r.id === workerId);
          return (
            <CellEditor
              key={`${workerId}-${day}`}
              model={model}
              workerId={workerId}
              day={day}
              label={`${w ? `${w.firstName} ${w.lastName}` : 'Worker'}, ${dayLabel(day)}`}
              t={cell(workerId, day)}
              onClose={() => {
                editing.value = null;
              }}
            />
          );
        })()}
      {others.length > 0 && (
        <div class="ts-add">
          <label class="field">
            <span class="field__label">Add a worker to this week</span>
            <select
              class="input"
              value=""
              onChange={(e) => {
                const id = (e.target as HTMLSelectElement).value;
                if (id) model.addRow(id);
              }}
            >
              <option value="">Choose a worker…</option>
              {others.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.lastName}, {w.firstName}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
    </>
  );
}

function Cell(props: {
  t: Timesheet | undefined;
  label: string;
  editing: boolean;
  codeOf: (id: string) => string | undefined;
  onSave: (text: string) => Promise<void>;
  onEdit: () => void;
}) {
  const { t } = props;
  const value = useSignal(t ? String(Number(t.hours)) : '');
  const [stateLabel, tone] = t ? STATE[t.sendState] : ['', ''];
  const commit = () => {
    if (value.value !== (t ? String(Number(t.hours)) : '')) void props.onSave(value.value);
  };
  const code = t?.costCodeId ? (props.codeOf(t.costCodeId) ?? 'Cost code') : null;
  return (
    <td class={`num ts-cell${props.editing ? ' ts-cell--editing' : ''}`} data-state={t?.sendState ?? 'empty'}>
      <div class="ts-cell__line">
        <input
          class="input ts-input"
          inputMode="decimal"
          aria-label={`Hours, ${props.label}`}
          value={value.value}
          onInput={(e) => {
            value.value = (e.target as HTMLInputElement).value;
          }}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          }}
        />
        <button
          type="button"
          class="ts-more"
          aria-label={`Time in and out, break, cost code: ${props.label}`}
          aria-expanded={props.editing}
          onClick={props.onEdit}
        >
          ⋯
        </button>
      </div>
      {t?.timeIn && (
        <span class="ts-detail">
          {t.timeIn}–{t.timeOut}
          {t.breakMinutes ? ` · ${t.breakMinutes}m break` : ''}
        </span>
      )}
      {code && <span class="ts-detail">{code}</span>}
      {t && (
        <span class={`ts-state ts-state--${tone}`} title={t.lastError ?? undefined}>
          {stateLabel}
          {t.approval === 'approved' ? ' · Approved' : ''}
        </span>
      )}
    </td>
  );
}

function TimesheetSettings({ disabledReasonId }: { disabledReasonId: string | null }) {
  const { settings } = useApp();
  const state = settings.settings.value;
  if (state.status !== 'ready') return null;
  const saves = settings.saveState.value;
  const v = state.data;
  const disabled = disabledReasonId !== null;
  return (
    <fieldset class="settings">
      <legend class="visually-hidden">Timesheet settings</legend>
      <Setting
        kind="switch"
        label="Auto Sync Time Cards"
        hint={`Sends new and edited timesheets once an hour, at :${String(v.autosyncMinute).padStart(2, '0')}`}
        name="autoSyncTimeCards"
        checked={v.autoSyncTimeCards}
        disabled={disabled}
        describedBy={disabledReasonId}
        save={saves.autoSyncTimeCards}
        onChange={(x) => settings.set('autoSyncTimeCards', x)}
      />
      <Setting
        kind="checkbox"
        label="Only Approved"
        hint="Pending timesheets stay in the app"
        name="onlyApproved"
        checked={v.onlyApproved}
        disabled={disabled}
        describedBy={disabledReasonId}
        save={saves.onlyApproved}
        onChange={(x) => settings.set('onlyApproved', x)}
      />
      <Setting
        kind="checkbox"
        label="Include Sub Workers"
        hint="Workers who are no Procore user become Procore contacts"
        name="includeSubWorkers"
        checked={v.includeSubWorkers}
        disabled={disabled}
        describedBy={disabledReasonId}
        save={saves.includeSubWorkers}
        onChange={(x) => settings.set('includeSubWorkers', x)}
      />
    </fieldset>
  );
}

const RUN_STATUS: Record<SendRun['status'], [string, string]> = {
  queued: ['Queued', 'gray'],
  running: ['Running', 'blue'],
  succeeded: ['Succeeded', 'green'],
  partial: ['Partly sent', 'yellow'],
  failed: ['Failed', 'red'],
  canceled: ['Canceled', 'gray'],
};

export function SendStatusPill({ status }: { status: SendRun['status'] }) {
  const [label, tone] = RUN_STATUS[status];
  return <span class={`pill pill--${tone}`}>{label}</span>;
}

export function SendDownload({ run }: { run: SendRun }) {
  const { api } = useApp();
  const state = useSignal<string>('idle');
  return (
    <span class="download">
      <button
        type="button"
        class="link-button"
        disabled={state.value === 'busy'}
        aria-label={`Download the log of the timesheet sync on ${formatDateTime(run.queuedAt)}`}
        onClick={async () => {
          state.value = 'busy';
          try {
            saveFile(await api.downloadSendLog(run.id), `timesheet-sync-log-run-${run.number}.txt`);
            state.value = 'idle';
          } catch (err) {
            state.value = `Could not download the log. ${asApiError(err).message}`;
          }
        }}
      >
        {state.value === 'busy' ? 'Downloading…' : 'Download'}
      </button>
      {state.value !== 'idle' && state.value !== 'busy' && (
        <span class="download__error" role="alert">
          {state.value}
        </span>
      )}
    </span>
  );
}

function SendLogs({ model }: { model: TimesheetsModel }) {
  const { href } = useApp();
  const state = model.sends.value;
  if (state.status === 'loading') return <Loading label="Loading the timesheet sync logs…" />;
  if (state.status === 'error')
    return <ErrorBanner error={state.error} what="The logs could not be loaded." />;
  if (state.data.length === 0) {
    return (
      <EmptyState title="No timesheet syncs yet.">
        Press Sync Timesheets to send a week to Procore.
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table class="data-table data-table--stack">
        <caption class="visually-hidden">Timesheet Sync Logs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Date and time</th>
            <th scope="col">Trigger</th>
            <th scope="col">Project and dates</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Sent
            </th>
            <th scope="col" class="num">
              Not sent
            </th>
            <th scope="col" class="num">
              Failed
            </th>
            <th scope="col">
              <span class="visually-hidden">Log file</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {state.data.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              <th scope="row" data-label="Date and time">
                <a href={href(`/timesheet-runs/${run.id}`)}>
                  #{run.number} · {formatDateTime(run.startedAt ?? run.queuedAt)}
                </a>
              </th>
              <td data-label="Trigger">
                {run.trigger === 'auto'
                  ? 'Auto Sync Time Cards'
                  : `Manual${run.startedBy ? ` · ${run.startedBy}` : ''}`}
              </td>
              <td data-label="Project and dates">
                {run.scope
                  ? `${run.scope.projectName ?? run.scope.projectId}, ${run.scope.from} – ${run.scope.to}`
                  : 'All unsent'}
              </td>
              <td data-label="Status">
                <SendStatusPill status={run.status} />
              </td>
              <td data-label="Sent" class="num">
                {run.counts.created + run.counts.updated + run.counts.unchanged}
              </td>
              <td data-label="Not sent" class="num">
                {run.counts.skipped}
              </td>
              <td data-label="Failed" class={`num${run.counts.failed ? ' text-danger' : ''}`}>
                {run.counts.failed}
              </td>
              <td data-label="Log">
                <SendDownload run={run} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
