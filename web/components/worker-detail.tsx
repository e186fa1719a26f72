import { useSignal } from '@preact/signals';
import { Fragment } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Worker, WorkerHistory, WorkerHistoryEntry, WorkerPatch } from '../api-types';
import { useApp } from '../context';
import { formatDateTime, formatPhone } from '../lib/format';
import { asApiError } from '../models/remote';
import { DirectoryLink } from './directory-link';
import { Change, needsFixInProcore } from './entries-table';
import { EntryPill, TRIGGER_LABEL } from './status-pill';
import './worker-history.css';

/** How a run is named to an admin: by its number in the company's logs. */
export function runRef(runNumber: number | string | null | undefined): string {
  return runNumber ? `Run #${runNumber}` : 'A run';
}

type PositionOption = { id: string; name: string };

/**
 * A worker's fields with where each came from. Fields from Procore are read-only here: Procore is
 * the source of truth (seed.md), and the next sync would undo a local change. A local worker is
 * the app's own: an admin edits, deactivates and reactivates them here (never deletes: their
 * timesheets stay theirs).
 */
export function WorkerDetail(props: { worker: Worker; positions: PositionOption[]; onChanged: () => void }) {
  const { worker: w } = props;
  const { api, me, settings } = useApp();
  const editing = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const isAdmin = me.isAdmin.value;
  const fromProcore = w.source === 'procore_user';
  const s = settings.settings.value;
  const positionFollowsProcore =
    fromProcore && s.status === 'ready' && s.data.userSyncEnabled && s.data.syncClassifications;
  const source = fromProcore ? `From Procore user #${w.procoreUserId}` : 'Entered in the workforce app';
  const fields: [string, string | null, string][] = [
    ['First name', w.firstName, 'First Name'],
    ['Last name', w.lastName, 'Last Name'],
    ['Email', w.email, 'Email'],
    ['Phone number', formatPhone(w.phone), 'Cell Phone'],
    ['Payroll ID', w.payrollId, 'Employee ID'],
  ];

  const save = async (patch: WorkerPatch) => {
    busy.value = true;
    error.value = null;
    try {
      await api.updateWorker(w.id, patch);
      editing.value = false;
      props.onChanged();
    } catch (err) {
      error.value = asApiError(err).message;
    } finally {
      busy.value = false;
    }
  };

  if (editing.value && !fromProcore) {
    const submit = (e: Event) => {
      e.preventDefault();
      const form = new FormData(e.currentTarget as HTMLFormElement);
      const text = (k: string) => String(form.get(k) ?? '').trim();
      void save({
        firstName: text('firstName'),
        lastName: text('lastName'),
        phone: text('phone'),
        email: text('email') || null,
        payrollId: text('payrollId') || null,
        positionId: text('positionId') || null,
      });
    };
    return (
      <form class="worker-detail" aria-label={`Edit ${w.firstName} ${w.lastName}`} onSubmit={submit}>
        <div class="filters">
          <label class="field">
            <span class="field__label">First name</span>
            <input class="input" name="firstName" required defaultValue={w.firstName} />
          </label>
          <label class="field">
            <span class="field__label">Last name</span>
            <input class="input" name="lastName" required defaultValue={w.lastName} />
          </label>
          <label class="field">
            <span class="field__label">Phone</span>
            <input class="input" name="phone" type="tel" required defaultValue={w.phone ?? ''} />
          </label>
          <label class="field">
            <span class="field__label">Email (optional)</span>
            <input class="input" name="email" type="email" defaultValue={w.email ?? ''} />
          </label>
          <label class="field">
            <span class="field__label">Payroll ID</span>
            <input class="input" name="payrollId" defaultValue={w.payrollId ?? ''} />
          </label>
          <PositionSelect positions={props.positions} value={w.position?.id ?? ''} />
        </div>
        {error.value && (
          <p class="text-danger" role="alert">
            {error.value}
          </p>
        )}
        <div class="button-row">
          <button
            type="submit"
            class="core-button core-button--primary core-button--md"
            disabled={busy.value}
          >
            {busy.value ? 'Saving…' : 'Save changes'}
          </button>
          <button
            type="button"
            class="core-button core-button--secondary core-button--md"
            onClick={() => {
              editing.value = false;
              error.value = null;
            }}
          >
            Cancel
          </button>
        </div>
      </form>
    );
  }

  return (
    <div class="worker-detail">
      <p class="worker-detail__source">
        <strong>{source}.</strong>{' '}
        {fromProcore
          ? 'These fields are read-only here; edit them in Procore and the change arrives within seconds.'
          : 'This worker is not linked to a Procore user: the app is where their details are kept.'}
        {fromProcore && (
          <>
            {' '}
            <DirectoryLink procoreUserId={w.procoreUserId} name={`${w.firstName} ${w.lastName}`} />
          </>
        )}
      </p>
      <dl class="facts facts--compact">
        {fields.map(([label, value, procoreField]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>
              {value ?? <span class="muted">—</span>}
              {fromProcore && <span class="cell-note">From Procore · {procoreField} · read-only</span>}
            </dd>
          </Fragment>
        ))}
        <dt>Position</dt>
        <dd>
          {fromProcore && isAdmin && !positionFollowsProcore ? (
            <select
              class="input worker-detail__position"
              aria-label={`Position of ${w.firstName} ${w.lastName}`}
              value={w.position?.id ?? ''}
              disabled={busy.value}
              onChange={(e) => void save({ positionId: (e.target as HTMLSelectElement).value || null })}
            >
              <option value="">No position</option>
              {props.positions.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          ) : (
            (w.position?.name ?? <span class="muted">—</span>)
          )}
          {positionFollowsProcore && (
            <span class="cell-note">
              From Procore · Classification · read-only while Sync Classifications is on
            </span>
          )}
        </dd>
        <dt>Status</dt>
        <dd>
          {w.active ? 'Active' : 'Inactive'}
          {fromProcore && (
            <span class="cell-note">
              From Procore · read-only: deactivate or reactivate the user in Procore's Directory
            </span>
          )}
        </dd>
        <dt>Last synced</dt>
        <dd>{fromProcore ? formatDateTime(w.lastSyncedAt) : <span class="muted">Not synced</span>}</dd>
      </dl>
      {error.value && (
        <p class="text-danger" role="alert">
          {error.value}
        </p>
      )}
      <History worker={w} />
      {!fromProcore && isAdmin && (
        <div class="button-row">
          <button
            type="button"
            class="core-button core-button--secondary core-button--md"
            onClick={() => {
              editing.value = true;
              error.value = null;
            }}
          >
            Edit worker
          </button>
          <button
            type="button"
            class="core-button core-button--secondary core-button--md"
            disabled={busy.value}
            onClick={() => void save({ active: !w.active })}
          >
            {w.active ? 'Deactivate' : 'Reactivate'}
          </button>
          {w.active && (
            <span class="cell-note">
              Deactivating keeps the worker and their timesheets; they leave the Timesheets page's list.
            </span>
          )}
        </div>
      )}
    </div>
  );
}

export function PositionSelect(props: { positions: PositionOption[]; value: string }) {
  return (
    <label class="field">
      <span class="field__label">Position</span>
      <select class="input" name="positionId" defaultValue={props.value}>
        <option value="">No position</option>
        {props.positions.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Every change the syncs made to this worker, newest first, and why an inactive one is. */
function History({ worker: w }: { worker: Worker }) {
  const { api } = useApp();
  const history = useSignal<WorkerHistory | null>(null);
  const error = useSignal<string | null>(null);
  const more = useSignal(false);
  // Asked again whenever the worker changes (the Workers page refreshes every few seconds).
  useEffect(() => {
    let current = true;
    api.workerHistory(w.id).then(
      (h) => {
        if (!current) return;
        history.value = h;
        error.value = null;
      },
      (err) => {
        if (current) error.value = asApiError(err).message;
      },
    );
    return () => {
      current = false;
    };
  }, [api, w.id, w.updatedAt, w.lastSyncedAt, w.active]);

  const loadMore = async () => {
    const h = history.peek();
    if (!h?.nextCursor) return;
    more.value = true;
    try {
      const next = await api.workerHistory(w.id, { cursor: h.nextCursor });
      history.value = { ...next, entries: [...h.entries, ...next.entries] };
    } catch (err) {
      error.value = asApiError(err).message;
    } finally {
      more.value = false;
    }
  };

  const h = history.value;
  const name = `${w.firstName} ${w.lastName}`;
  return (
    <section class="history" aria-labelledby={`history-${w.id}`}>
      <h3 class="history__title" id={`history-${w.id}`}>
        History
      </h3>
      {h?.inactive && <InactiveSince inactive={h.inactive} />}
      {error.value && <p class="text-danger">The history could not be loaded: {error.value}</p>}
      {!h && !error.value && <p class="muted">Loading the history…</p>}
      {h && h.entries.length === 0 && (
        <p class="muted">
          {w.source === 'procore_user'
            ? 'No sync has recorded a change to this worker yet.'
            : 'Added in the app; no sync has changed this worker.'}
        </p>
      )}
      {h && h.entries.length > 0 && (
        <ol class="history__list">
          {h.entries.map((e) => (
            <HistoryItem key={e.id} entry={e} name={name} />
          ))}
        </ol>
      )}
      {h?.nextCursor && (
        <button
          type="button"
          class="core-button core-button--secondary core-button--sm"
          disabled={more.value}
          onClick={() => void loadMore()}
        >
          {more.value ? 'Loading…' : 'Show earlier changes'}
        </button>
      )}
    </section>
  );
}

function InactiveSince({ inactive }: { inactive: NonNullable<WorkerHistory['inactive']> }) {
  const { href } = useApp();
  return (
    <p class="history__inactive">
      <strong>Inactive since {formatDateTime(inactive.since)}</strong>
      {inactive.runId ? (
        <>
          , by <a href={href(`/runs/${inactive.runId}`)}>{runRef(inactive.runNumber)}</a>
        </>
      ) : (
        ', deactivated in the app'
      )}
      {inactive.changedBy && <>, changed in Procore by {authorName(inactive.changedBy)}</>}
      {inactive.reason && <>, because: {inactive.reason}</>}.
    </p>
  );
}

function authorName(by: NonNullable<WorkerHistoryEntry['changedBy']>): string {
  return by.name ?? `Procore user #${by.procoreUserId}`;
}

function HistoryItem({ entry: e, name }: { entry: WorkerHistoryEntry; name: string }) {
  const { href } = useApp();
  return (
    <li class="history__item">
      <div class="history__when">
        <time dateTime={e.at}>{formatDateTime(e.at)}</time>
        <span class="history__run">
          <a href={href(`/runs/${e.runId}`)}>{runRef(e.runNumber)}</a> · {TRIGGER_LABEL[e.runTrigger]}
        </span>
      </div>
      <div class="history__what">
        <EntryPill action={e.action} />
        {e.changes.length > 0 && (
          <span class="changes">
            {e.changes.map((c) => (
              <Change key={c.field} change={c} />
            ))}
          </span>
        )}
        {e.reason && <span class="history__reason">{e.reason}</span>}
        {e.warnings.map((text) => (
          <span key={text} class="warning">
            Warning: {text}
          </span>
        ))}
        {e.changedBy ? (
          <span class="history__author">
            Changed in Procore by <strong>{authorName(e.changedBy)}</strong>
          </span>
        ) : (
          // Procore's event names its author; one recorded without it (an older delivery) says so.
          e.runTrigger === 'webhook' && (
            <span class="history__author">Changed in Procore; who made the change is not known</span>
          )
        )}
        {needsFixInProcore(e.action) && <DirectoryLink procoreUserId={e.procoreUserId} name={name} />}
      </div>
    </li>
  );
}
