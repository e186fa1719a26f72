import type { BulkTimecardEntryInput } from '../procore/timecards';
import type { TimesheetRow } from './timesheets.repository';

/** Every entry says where it came from (the peers' "Created by <app>"). */
export const CREATED_BY = 'Created by Worker Sync';

/**
 * A timesheet as a Procore timecard entry (procore-api.md §5.2, company bulk body): the worker as
 * `party_id` (their company person, §5.4), hours as a decimal string (§9.4), times as `HH:MM` with
 * the break as `lunch_time` minutes, and the timesheet's id as the integer `origin_id` (§9.3) so
 * an entry whose create answer was lost can be found again.
 */
export function timecardBody(
  t: TimesheetRow,
  partyId: string,
  classificationId: string | null,
): BulkTimecardEntryInput {
  const body: BulkTimecardEntryInput = {
    project_id: Number(t.procore_project_id),
    party_id: Number(partyId),
    date: t.date,
    hours: Number(t.hours ?? 0).toFixed(2),
    description: t.description ? `${t.description} (${CREATED_BY})` : CREATED_BY,
    approval_status: t.approval === 'approved' ? 'approved' : 'pending',
    origin_id: Number(t.id),
  };
  if (t.time_in && t.time_out) {
    body.time_in = t.time_in.slice(0, 5);
    body.time_out = t.time_out.slice(0, 5);
    body.lunch_time = String(t.break_minutes ?? 0);
  }
  if (t.cost_code_id) body.cost_code_id = Number(t.cost_code_id);
  if (classificationId) body.work_classification_id = Number(classificationId);
  return body;
}

/**
 * What was sent, in a stable form (keys sorted): an equal fingerprint means a resend would change
 * nothing, and the previous one says which fields an update changes.
 */
export function fingerprint(body: BulkTimecardEntryInput): string {
  return JSON.stringify(Object.fromEntries(Object.entries(body).sort(([a], [b]) => a.localeCompare(b))));
}

export function parseFingerprint(text: string | null): BulkTimecardEntryInput | null {
  if (!text?.startsWith('{')) return null;
  try {
    return JSON.parse(text) as BulkTimecardEntryInput;
  } catch {
    return null;
  }
}

/** The fields the log shows as changed when an entry is updated. */
export function changedFields(
  before: BulkTimecardEntryInput | null,
  after: BulkTimecardEntryInput,
): Array<{ field: string; from: string | null; to: string | null }> {
  if (!before) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof BulkTimecardEntryInput>;
  const out: Array<{ field: string; from: string | null; to: string | null }> = [];
  for (const k of keys) {
    const from = before[k] === undefined ? null : String(before[k]);
    const to = after[k] === undefined ? null : String(after[k]);
    if (from !== to) out.push({ field: k, from, to });
  }
  return out;
}
