import { useSignal } from '@preact/signals';
import { Fragment } from 'preact';
import type { Worker, WorkerPatch } from '../api-types';
import { useApp } from '../context';
import { formatDateTime, formatPhone } from '../lib/format';
import { asApiError } from '../models/remote';

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
