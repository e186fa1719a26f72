import type { EntryAction, SyncStatus, SyncTrigger } from '../api-types';

type Tone = 'green' | 'blue' | 'yellow' | 'red' | 'gray';

const RUN: Record<SyncStatus, [string, Tone]> = {
  queued: ['Queued', 'gray'],
  running: ['Running', 'blue'],
  succeeded: ['Succeeded', 'green'],
  partial: ['Partly synced', 'yellow'],
  failed: ['Failed', 'red'],
  needs_review: ['Needs review', 'yellow'],
  canceled: ['Canceled', 'gray'],
};

const ENTRY: Record<EntryAction, [string, Tone]> = {
  created: ['Created', 'green'],
  updated: ['Updated', 'green'],
  unchanged: ['Unchanged', 'gray'],
  deactivated: ['Deactivated', 'yellow'],
  reactivated: ['Reactivated', 'green'],
  skipped: ['Skipped', 'yellow'],
  failed: ['Failed', 'red'],
  would_deactivate: ['Would deactivate', 'yellow'],
};

export const ENTRY_ACTIONS = Object.keys(ENTRY) as EntryAction[];
export const entryLabel = (a: EntryAction) => ENTRY[a][0];

export const TRIGGER_LABEL: Record<SyncTrigger, string> = {
  manual: 'Manual',
  auto: 'Autosync',
  webhook: 'Procore change',
};

export const RunStatusLabel = (status: SyncStatus) => RUN[status]?.[0] ?? status;

export function RunStatusPill({ status }: { status: SyncStatus }) {
  const [label, tone] = RUN[status] ?? [status, 'gray'];
  return <span class={`pill pill--${tone}`}>{label}</span>;
}

export function EntryPill({ action }: { action: EntryAction }) {
  const [label, tone] = ENTRY[action] ?? [action, 'gray'];
  return <span class={`pill pill--${tone}`}>{label}</span>;
}
