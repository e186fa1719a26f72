import { Fragment } from 'preact';
import type { Worker } from '../api-types';
import { formatDateTime, formatPhone } from '../lib/format';

/**
 * A worker's fields with where each came from. Fields from Procore are read-only here: Procore is
 * the source of truth (seed.md), and the next sync would undo a local change.
 */
export function WorkerDetail({ worker: w }: { worker: Worker }) {
  const fromProcore = w.source === 'procore_user';
  const source = fromProcore ? `From Procore user #${w.procoreUserId}` : 'Entered in the workforce app';
  const fields: [string, string | null, string][] = [
    ['First name', w.firstName, 'First Name'],
    ['Last name', w.lastName, 'Last Name'],
    ['Email', w.email, 'Email'],
    ['Phone number', formatPhone(w.phone), 'Cell Phone'],
    ['Payroll ID', w.payrollId, 'Employee ID'],
    ['Position', w.position?.name ?? null, 'Classification'],
  ];
  return (
    <div class="worker-detail">
      <p class="worker-detail__source">
        <strong>{source}.</strong>{' '}
        {fromProcore
          ? 'These fields are read-only here; edit them in Procore and the change arrives within seconds.'
          : 'This worker is not linked to a Procore user.'}
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
        <dt>Last synced</dt>
        <dd>{formatDateTime(w.lastSyncedAt)}</dd>
      </dl>
    </div>
  );
}
