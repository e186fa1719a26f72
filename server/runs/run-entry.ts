import type { EntryAction, FieldChange } from '../db/database';

/**
 * What a run records about one subject it looked at (a Procore user for a user sync), and the
 * run's counters, which are the entries counted by action.
 */
export interface EntryDraft {
  /** Set when the run numbers its entries itself (`EntryBatches`); the database's otherwise. */
  id?: string;
  procoreUserId: string;
  workerId: string | null;
  name: string;
  email: string | null;
  action: EntryAction;
  reasonCode: string | null;
  reason: string | null;
  changes: FieldChange[];
  warnings: string[];
  /** For a change that arrived by webhook: the Procore user who made it, and their name if known. */
  changedBy?: { procoreUserId: string; name: string | null } | null;
  /** Replaced in its run's list by a later entry about the same person (webhook runs). */
  superseded?: boolean;
  /** On an entry merged with earlier ones of its run: what this change alone did. */
  own?: { action: EntryAction; changes: FieldChange[] } | null;
}

/** A batchable entry (`isBatchable`), numbered by its run: kept in a batch (`EntryBatches`). */
export type BatchedDraft = EntryDraft & { id: string };

/** The results an entry can be batched with (`isBatchable`). */
export const BATCHED_ACTIONS: readonly EntryAction[] = ['created', 'unchanged', 'skipped'];

/**
 * Whether an entry is never edited once written and has no field changes to tell: a person
 * created, found unchanged or skipped, with its reason and warnings, but no author or history of
 * its own.
 */
export function isBatchable(e: EntryDraft): boolean {
  return (
    BATCHED_ACTIONS.includes(e.action) && e.changes.length === 0 && !e.changedBy && !e.superseded && !e.own
  );
}

/** Whether a batched entry says more than "unchanged" (a worker's history lists it). */
export function isNotable(e: EntryDraft): boolean {
  return e.action !== 'unchanged' || e.reasonCode !== null || e.reason !== null || e.warnings.length > 0;
}

export interface RunCounts {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  reactivated: number;
  skipped: number;
  failed: number;
  warnings: number;
  would_deactivate: number;
}

export const zeroCounts = (): RunCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  deactivated: 0,
  reactivated: 0,
  skipped: 0,
  failed: 0,
  warnings: 0,
  would_deactivate: 0,
});

export function countEntry(counts: RunCounts, entry: EntryDraft): void {
  counts[entry.action]++;
  if (entry.warnings.length > 0) counts.warnings++;
}

export function countEntries(entries: readonly EntryDraft[]): RunCounts {
  const counts = zeroCounts();
  for (const e of entries) countEntry(counts, e);
  return counts;
}

/**
 * One person's result over a run that met them more than once (the hour's webhook run: one
 * Procore user edited six times is one person): the latest result, except that a worker created
 * or reactivated in the run stays so, and field changes run from the first value to the last.
 */
export function mergeEntry(previous: EntryDraft, latest: EntryDraft): EntryDraft {
  const kept =
    (previous.action === 'created' || previous.action === 'reactivated') &&
    (latest.action === 'updated' || latest.action === 'unchanged')
      ? previous.action
      : latest.action;
  const fieldsChanged =
    (previous.action === 'updated' || previous.action === 'reactivated') &&
    (latest.action === 'updated' || latest.action === 'unchanged');
  if (!fieldsChanged) {
    return {
      ...latest,
      action: kept,
      changes: kept === 'created' ? [] : latest.changes,
      changedBy: latest.changedBy ?? previous.changedBy,
    };
  }
  const byField = new Map<string, FieldChange>();
  for (const c of previous.changes) byField.set(c.field, { ...c });
  for (const c of latest.changes) {
    const first = byField.get(c.field);
    byField.set(c.field, first ? { field: c.field, from: first.from, to: c.to } : { ...c });
  }
  const changes = [...byField.values()].filter((c) => (c.from ?? null) !== (c.to ?? null));
  // Changed and changed back within the run: the worker is as it was.
  const action = kept === 'reactivated' ? kept : changes.length > 0 ? 'updated' : 'unchanged';
  return { ...latest, action, changes, changedBy: latest.changedBy ?? previous.changedBy };
}

/** What a timesheet run records about one timesheet it looked at. */
export interface TimesheetEntryDraft {
  timesheetId: string;
  workerId: string | null;
  /** The worker's name. */
  name: string;
  projectId: string;
  projectName: string | null;
  date: string;
  hours: string | null;
  procoreEntryId: string | null;
  action: Extract<EntryAction, 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed'>;
  reasonCode: string | null;
  reason: string | null;
  changes: FieldChange[];
}

export function countTimesheetEntries(entries: readonly TimesheetEntryDraft[]): RunCounts {
  const counts = zeroCounts();
  for (const e of entries) counts[e.action]++;
  return counts;
}
