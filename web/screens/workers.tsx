import { useModel, useSignal } from '@preact/signals';
import { useLocation } from 'preact-iso';
import type { RunResult, Worker, WorkerTotals } from '../api-types';
import { AddWorker } from '../components/add-worker';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { PositionsPanel } from '../components/positions-panel';
import { ENTRY_ACTIONS, entryLabel } from '../components/status-pill';
import { runRef, WorkerDetail } from '../components/worker-detail';
import { useApp } from '../context';
import { formatDateTime, formatPhone, plural } from '../lib/format';
import { type WorkerFilters, WorkersModel } from '../models/workers.model';

/** The workforce list: search, filters, where each worker comes from, and its last sync. */
/** `?runId=…&result=…`: the workers one run recorded with one result. */
function runFilterOf(query: Record<string, string>): WorkerFilters['run'] {
  const { runId, result, runNumber } = query;
  if (!runId || !/^\d{1,19}$/.test(runId) || !ENTRY_ACTIONS.includes(result as RunResult)) return null;
  return {
    runId,
    result: result as RunResult,
    runNumber: /^\d{1,9}$/.test(runNumber ?? '') ? runNumber : undefined,
  };
}

export function WorkersScreen() {
  const { api, me, href } = useApp();
  const location = useLocation();
  const model = useModel(() => new WorkersModel(api, { run: runFilterOf(location.query) }));
  const f = model.filters.value;
  const set =
    <K extends keyof WorkerFilters>(key: K) =>
    (e: Event) =>
      model.setFilter(
        key,
        (e.currentTarget as HTMLInputElement | HTMLSelectElement).value as WorkerFilters[K],
      );
  return (
    <div class="workers">
      <div class="page-head">
        <div class="page-head__text">
          <h2 class="page-title">Workers</h2>
          <p class="page-lead">
            Workers synced from Procore show their Procore details read-only: change those in Procore's
            Directory and they update here within seconds.
          </p>
        </div>
        {me.isAdmin.value && (
          <div class="page-head__tools">
            <div class="button-row">
              <PositionsPanel onChanged={() => void model.refresh()} />
              <AddWorker onAdded={() => void model.refresh()} />
            </div>
          </div>
        )}
      </div>
      <Totals totals={model.totals.value} />
      <search class="filters" aria-label="Filter workers">
        <label class="field field--grow">
          <span class="field__label">Search</span>
          <input
            class="input"
            type="search"
            placeholder="Name, email, phone or payroll ID"
            value={f.q}
            onInput={set('q')}
          />
        </label>
        <label class="field">
          <span class="field__label">Status</span>
          <select class="input" value={f.active} onChange={set('active')}>
            <option value="">Active and inactive</option>
            <option value="true">Active</option>
            <option value="false">Inactive</option>
          </select>
        </label>
        <label class="field">
          <span class="field__label">Source</span>
          <select class="input" value={f.source} onChange={set('source')}>
            <option value="">All sources</option>
            <option value="procore_user">From Procore</option>
            <option value="local">Local only</option>
          </select>
        </label>
        <label class="field">
          <span class="field__label">Position</span>
          <select class="input" value={f.positionId} onChange={set('positionId')}>
            <option value="">All positions</option>
            {model.positions.value.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </search>
      {f.run && (
        <div class="chips">
          <span class="chip">
            <span>
              <span class="visually-hidden">Only the workers of </span>
              {runRef(f.run.runNumber)}: {entryLabel(f.run.result).toLowerCase()}
            </span>
            <button
              type="button"
              class="chip__remove"
              aria-label={`Remove the filter ${runRef(f.run.runNumber)}: ${entryLabel(f.run.result).toLowerCase()}`}
              onClick={() => {
                model.setFilter('run', null);
                location.route(href('/workers'), true);
              }}
            >
              <span aria-hidden="true">×</span>
            </button>
          </span>
        </div>
      )}
      <WorkerList model={model} />
    </div>
  );
}

/** The whole company's workforce at a glance, whatever the filters show. */
function Totals({ totals: t }: { totals: WorkerTotals | null }) {
  if (!t) return null;
  const items: [string, number, string?][] = [
    ['Active workers', t.active, `of ${t.total}`],
    ['From Procore', t.activeFromProcore, 'active'],
    ['Added in the app', t.activeLocal, 'active'],
    ['Inactive', t.inactive],
    ['No payroll ID', t.activeMissingPayrollId, 'active'],
    ['No position', t.activeMissingPosition, 'active'],
  ];
  return (
    <>
      <h3 class="visually-hidden">Worker totals for the whole company</h3>
      <dl class="stats worker-totals">
        {items.map(([label, value, note]) => (
          <div class="stat" key={label}>
            <dt>{label}</dt>
            <dd>
              {value}
              {note && <span class="stat__note"> {note}</span>}
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}

function WorkerList({ model }: { model: WorkersModel }) {
  const state = model.workers.value;
  const open = useSignal<string | null>(null);
  const f = model.filters.value;
  const filtered = Boolean(f.q || f.active || f.source || f.positionId || f.run);
  if (state.status === 'loading') return <Loading label="Loading workers…" />;
  if (state.status === 'error') {
    return (
      <ErrorBanner
        error={state.error}
        what="The workers could not be loaded."
        onRetry={() => model.setFilter('q', f.q)}
      />
    );
  }
  const { workers, nextCursor } = state.data;
  if (workers.length === 0) {
    return filtered ? (
      <EmptyState title="No workers match these filters.">
        Clear the search or choose other filters.
      </EmptyState>
    ) : (
      <EmptyState title="No workers yet.">
        Run a sync on the Users page to import your Procore users as workers.
      </EmptyState>
    );
  }
  return (
    <>
      {state.refreshError && (
        <p class="stale" role="status">
          Could not refresh the list ({state.refreshError.message}). Retrying automatically.
        </p>
      )}
      <div class="table-wrap">
        <table class="data-table data-table--stack">
          <caption class="visually-hidden">Workers</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Phone</th>
              <th scope="col">Payroll ID</th>
              <th scope="col">Position</th>
              <th scope="col">Status</th>
              <th scope="col">Last sync</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <WorkerRow
                key={w.id}
                worker={w}
                model={model}
                open={open.value === w.id}
                onToggle={() => {
                  open.value = open.value === w.id ? null : w.id;
                }}
              />
            ))}
          </tbody>
        </table>
      </div>
      <div class="more">
        <span class="muted">
          Showing {plural(workers.length, 'worker')}
          {nextCursor ? '' : ' (all)'}
        </span>
        {nextCursor && (
          <button
            type="button"
            class="core-button core-button--secondary core-button--md"
            onClick={() => model.loadMore()}
          >
            Show more workers
          </button>
        )}
      </div>
    </>
  );
}

function WorkerRow({
  worker: w,
  model,
  open,
  onToggle,
}: {
  worker: Worker;
  model: WorkersModel;
  open: boolean;
  onToggle: () => void;
}) {
  const fromProcore = w.source === 'procore_user';
  const detailId = `worker-${w.id}-detail`;
  return (
    <>
      <tr data-worker-id={w.id} class={w.active ? '' : 'row--inactive'}>
        <th scope="row" data-label="Name">
          <button
            type="button"
            class="link-button name-button"
            aria-expanded={open}
            aria-controls={detailId}
            onClick={onToggle}
          >
            {w.firstName} {w.lastName}
          </button>
          <span class={`source source--${fromProcore ? 'procore' : 'local'}`}>
            {fromProcore ? 'From Procore' : 'Local'}
          </span>
        </th>
        <td data-label="Email" class="break" data-wide>
          {w.email ?? <span class="muted">—</span>}
        </td>
        <td data-label="Phone">{formatPhone(w.phone) ?? <span class="muted">—</span>}</td>
        <td data-label="Payroll ID">{w.payrollId ?? <span class="muted">—</span>}</td>
        <td data-label="Position">{w.position?.name ?? <span class="muted">—</span>}</td>
        <td data-label="Status">
          <span class={`pill pill--${w.active ? 'green' : 'gray'}`}>{w.active ? 'Active' : 'Inactive'}</span>
          {!w.active && w.deactivatedReason && <span class="cell-note">{w.deactivatedReason}</span>}
        </td>
        <td data-label="Last sync">
          {fromProcore ? formatDateTime(w.lastSyncedAt) : <span class="muted">Not synced</span>}
        </td>
      </tr>
      {open && (
        <tr class="detail-row" id={detailId}>
          <td colSpan={7}>
            <WorkerDetail
              worker={w}
              positions={model.positions.value}
              onChanged={() => void model.refresh()}
            />
          </td>
        </tr>
      )}
    </>
  );
}
