import type { FieldChange, SyncEntry } from '../api-types';
import { DirectoryLink } from './directory-link';
import { EntryPill } from './status-pill';

const FIELD_LABEL: Record<string, string> = {
  first_name: 'First name',
  firstName: 'First name',
  last_name: 'Last name',
  lastName: 'Last name',
  email: 'Email',
  phone: 'Phone',
  payroll_id: 'Payroll ID',
  payrollId: 'Payroll ID',
  position: 'Position',
  active: 'Active',
};

/** What happened to each Procore user in a run (or would, in a preview), with the reason. */
export function EntriesTable({ entries, caption }: { entries: SyncEntry[]; caption: string }) {
  return (
    <div class="table-wrap">
      <table class="data-table data-table--stack">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Result</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id ?? `p${e.procoreUserId}`}>
              <th scope="row" data-label="Name">
                {e.name || <span class="muted">(no name in Procore)</span>}
              </th>
              <td data-label="Email" class="break" data-wide>
                {e.email ?? <span class="muted">—</span>}
              </td>
              <td data-label="Result">
                <EntryPill action={e.action} />
              </td>
              <td data-label="Details" data-wide>
                <Details entry={e} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A user who was skipped or failed is fixed in Procore's Directory: the entry links there. */
export function needsFixInProcore(action: string): boolean {
  return action === 'skipped' || action === 'failed';
}

function Details({ entry }: { entry: SyncEntry }) {
  const parts = [
    entry.reason && <span key="r">{entry.reason}</span>,
    needsFixInProcore(entry.action) && (
      <DirectoryLink key="d" procoreUserId={entry.procoreUserId} name={entry.name} />
    ),
    entry.changes.length > 0 && (
      <span key="c" class="changes">
        {entry.changes.map((c) => (
          <Change key={c.field} change={c} />
        ))}
      </span>
    ),
    ...entry.warnings.map((w) => (
      <span key={w} class="warning">
        Warning: {w}
      </span>
    )),
  ].filter(Boolean);
  return parts.length ? <span class="details">{parts}</span> : <span class="muted">—</span>;
}

export function Change({ change }: { change: FieldChange }) {
  const label = FIELD_LABEL[change.field] ?? change.field;
  return (
    <span class="change">
      {label}: <del>{change.from ?? 'empty'}</del> → <ins>{change.to ?? 'empty'}</ins>
    </span>
  );
}
