import type { EntryAction, FieldChange } from '../db/database';
import type { EntryDraft } from '../runs/runs.service';

export type { EntryDraft };

import { sanitizationWarnings } from '../procore/schemas';
import type { WorkerFields } from '../workers/workers.service';
import { type MapResult, mapUser } from './map-user';
import { displayName, type SyncUser, updatedAtOf } from './procore-user';
import { type Reason, reason, type Warning, warning } from './reasons';
import { type WorkerIndex, type WorkerState, workerName } from './worker-index';

/**
 * The rules of design.md "Matching and rules", as a pure function of one Procore user and the
 * workers it could touch. Nothing here reads or writes the database: `apply-users.ts` loads the
 * index, calls this per user, then writes the decisions of a page in batches.
 */

export interface DecideSettings {
  companyName: string;
  serviceAccountUserId: string | null;
  syncClassifications: boolean;
  /** Position for a Procore classification id; undefined when the classification is unknown. */
  positionFor(classificationId: string): string | undefined;
  positionName(positionId: string | null): string | null;
}

export type Decision =
  | { kind: 'create'; fields: WorkerFields; entry: EntryDraft }
  | { kind: 'update'; worker: WorkerState; link: boolean; fields: WorkerFields; entry: EntryDraft }
  /** The worker already matches the user: nothing is written. */
  | { kind: 'keep'; worker: WorkerState; entry: EntryDraft }
  | { kind: 'deactivate'; worker: WorkerState; reasonCode: string; reasonText: string; entry: EntryDraft }
  | { kind: 'none'; entry: EntryDraft }
  /** The app's own service account: not a person, so no entry, no count, never a worker. */
  | { kind: 'ignore' };

function entryOf(
  user: SyncUser,
  action: EntryAction,
  extra: Partial<Pick<EntryDraft, 'workerId' | 'changes'>> & {
    reasons?: Reason[];
    warnings?: Warning[];
  } = {},
): EntryDraft {
  const reasons = extra.reasons ?? [];
  return {
    procoreUserId: user.id,
    workerId: extra.workerId ?? null,
    name: displayName(user),
    email: user.email_address?.trim() || null,
    action,
    reasonCode: reasons[0]?.code ?? null,
    reason: reasons.length > 0 ? reasons.map((r) => r.text).join('; ') : null,
    changes: extra.changes ?? [],
    // What had to be cleaned from Procore's text to store it comes first (procore/schemas/storable.ts).
    warnings: [...sanitizationWarnings(user), ...(extra.warnings ?? []).map((w) => w.text)],
  };
}

const skip = (user: SyncUser, reasons: Reason[], workerId: string | null = null): Decision => ({
  kind: 'none',
  entry: entryOf(user, 'skipped', { reasons, workerId }),
});

/**
 * Decides one user and updates `index` as if the decision were already written. `mapped` is
 * `mapUser(user)` when the caller already has it (a page maps every user once to know which
 * emails and phones to look up; parsing a phone number is the costliest step of a decision).
 */
export function decideUser(
  user: SyncUser,
  settings: DecideSettings,
  index: WorkerIndex,
  mapped: MapResult = mapUser(user),
): Decision {
  if (settings.serviceAccountUserId && user.id === settings.serviceAccountUserId) {
    return { kind: 'ignore' };
  }
  const linked = index.linkedTo(user.id);

  // A webhook may already have applied a newer state of this user than the page in hand.
  const updatedAt = updatedAtOf(user);
  if (linked?.id && linked.procoreUpdatedAt && updatedAt && linked.procoreUpdatedAt > updatedAt) {
    return {
      kind: 'keep',
      worker: linked,
      entry: entryOf(user, 'unchanged', { workerId: linked.id, warnings: [warning('newer_state_kept')] }),
    };
  }

  // Gate: only active users marked "Is Employee Of" the company become workers.
  const gate = user.is_active !== true ? 'inactive' : user.is_employee !== true ? 'not_employee' : null;
  if (gate) {
    const why = reason(gate, { companyName: settings.companyName });
    if (linked?.active) {
      index.update(linked, { active: false });
      return {
        kind: 'deactivate',
        worker: linked,
        reasonCode: why.code,
        reasonText: why.text,
        entry: entryOf(user, 'deactivated', {
          workerId: linked.id,
          reasons: [why],
          changes: [{ field: 'active', from: 'yes', to: 'no' }],
        }),
      };
    }
    if (linked)
      return { kind: 'none', entry: entryOf(user, 'unchanged', { workerId: linked.id, reasons: [why] }) };
    return skip(user, [why]);
  }

  if (!mapped.ok) return skip(user, mapped.reasons, linked?.id ?? null);
  const m = mapped.worker;
  const warnings = [...mapped.warnings];

  let target = linked;
  let link = false;
  if (!target) {
    const candidates: WorkerState[] = [];
    for (const w of index.withEmail(m.email)) if (w.procoreUserId === null) candidates.push(w);
    for (const w of index.withPhone(m.phone))
      if (w.procoreUserId === null && !candidates.includes(w)) candidates.push(w);
    if (candidates.length >= 2) {
      const names = candidates.map(workerName).sort();
      return skip(user, [reason('ambiguous_match', { candidates: names })]);
    }
    target = candidates[0];
    link = target !== undefined;
  }

  let holder: WorkerState | undefined;
  for (const w of index.withPhone(m.phone)) {
    if (w !== target && w.active) {
      holder = w;
      break;
    }
  }
  if (holder) {
    return skip(
      user,
      [reason('phone_in_use', { value: m.phone, workerName: workerName(holder) })],
      target?.id,
    );
  }

  let positionId = target?.positionId ?? null;
  if (settings.syncClassifications) {
    positionId = null;
    if (m.classificationId) {
      const found = settings.positionFor(m.classificationId);
      if (found === undefined) {
        warnings.push(warning('unknown_classification', { classificationId: m.classificationId }));
      } else positionId = found;
    }
  }
  const fields: WorkerFields = {
    firstName: m.firstName,
    lastName: m.lastName,
    email: m.email,
    phone: m.phone,
    payrollId: m.payrollId,
    positionId,
    procoreUpdatedAt: updatedAt,
  };

  if (!target) {
    index.add({ id: null, ...fields, active: true, procoreUserId: user.id });
    return { kind: 'create', fields, entry: entryOf(user, 'created', { warnings }) };
  }

  const changes = diff(target, fields, settings);
  const reactivate = !target.active;
  if (reactivate) changes.push({ field: 'active', from: 'no', to: 'yes' });
  if (link) changes.push({ field: 'procore_user', from: null, to: user.id });
  if (changes.length === 0) {
    return {
      kind: 'keep',
      worker: target,
      entry: entryOf(user, 'unchanged', { workerId: target.id, warnings }),
    };
  }
  index.update(target, { ...fields, active: true, procoreUserId: user.id });
  return {
    kind: 'update',
    worker: target,
    link,
    fields,
    entry: entryOf(user, reactivate ? 'reactivated' : 'updated', { workerId: target.id, changes, warnings }),
  };
}

function diff(worker: WorkerState, fields: WorkerFields, settings: DecideSettings): FieldChange[] {
  const changes: FieldChange[] = [];
  const check = (field: string, from: string | null, to: string | null) => {
    if ((from ?? null) !== (to ?? null)) changes.push({ field, from, to });
  };
  check('first_name', worker.firstName, fields.firstName);
  check('last_name', worker.lastName, fields.lastName);
  check('email', worker.email?.toLowerCase() ?? null, fields.email);
  check('phone', worker.phone, fields.phone);
  check('payroll_id', worker.payrollId, fields.payrollId);
  if (settings.syncClassifications && worker.positionId !== fields.positionId) {
    changes.push({
      field: 'position',
      from: settings.positionName(worker.positionId),
      to: settings.positionName(fields.positionId),
    });
  }
  return changes;
}
