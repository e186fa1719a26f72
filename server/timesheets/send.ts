import type { Kysely } from 'kysely';
import type { Database, FieldChange } from '../db/database';
import type { CompanySession } from '../procore/client';
import { isProcoreError, ProcoreUnavailableError, ProcoreValidationError } from '../procore/errors';
import type { BulkTimecardEntryInput } from '../procore/timecards';
import {
  finishRun,
  type RunRow,
  recordTimesheetEntries,
  setRunTotal,
  type TimesheetEntryDraft,
} from '../runs/runs.service';
import type { CompanySettings } from '../settings/settings.service';
import { listWorkersForSend, type WorkerForSend } from '../workers/workers.service';
import { type Resolved, resolveClassifications, resolvePeople } from './resolve';
import {
  entryFailure,
  isProjectRefusal,
  projectRefusal,
  type Reason,
  rethrowIfRunStopping,
} from './send-failures';
import { changedFields, fingerprint, parseFingerprint, timecardBody } from './timecard-body';
import * as repo from './timesheets.repository';

/**
 * One timesheet send (design.md flow 6). Each timesheet becomes one Procore timecard entry, tagged
 * with the timesheet's id as `origin_id`:
 *  - unchanged since it was last sent (same fingerprint) → nothing is asked of Procore;
 *  - sent before and edited since → PATCH of its entry;
 *  - new → the company bulk create (§5.1), one project at a time so one project's refusal stays
 *    with that project. Before a create goes out the timesheet is marked `sending`; a create whose
 *    answer was lost (or a process killed midway) is looked for by `origin_id` before anything is
 *    created again.
 * The app never deletes in Procore: a timesheet deleted in the app is logged and left there.
 * One timesheet's failure never stops the others; what would fail for all (the app uninstalled,
 * its access revoked) ends the run.
 */

/** Procore documents no limit for the company bulk create; its sync actions take 1,000 (§8). */
export const BULK_SIZE = 500;

export interface SendContext {
  db: Kysely<Database>;
  procore: CompanySession;
  settings: CompanySettings;
  run: RunRow;
  now: () => Date;
  signal: AbortSignal;
  /** Workers whose kept Procore person was looked up again in this send (once each). */
  recheckedPeople?: Set<string>;
}

interface Item {
  t: repo.TimesheetRow;
  w: WorkerForSend | undefined;
  body?: BulkTimecardEntryInput;
  fp?: string;
  entryId?: string | null;
  /** Set when an entry that Procore lost is made again, or goes out for a person found again. */
  note?: string;
}

export async function sendTimesheets(ctx: SendContext): Promise<RunRow | undefined> {
  const { db, procore, settings, run, signal } = ctx;
  const companyId = run.company_id;
  const scope = run.scope_project_id
    ? { projectId: run.scope_project_id, from: run.scope_from ?? '', to: run.scope_to ?? '' }
    : null;
  const rows = await repo.listTimesheetsToSend(db, companyId, scope);
  await setRunTotal(db, companyId, run.id, rows.length);

  const workers = new Map(
    (await listWorkersForSend(db, companyId, [...new Set(rows.map((r) => r.worker_id))])).map((w) => [
      w.id,
      w,
    ]),
  );
  const projects = await projectNames(procore, rows, scope, signal);
  const log = new SendLog(ctx, projects.names);

  // 1. What needs no Procore request: deletions, Only Approved, Include Sub Workers.
  const eligible: Item[] = [];
  for (const t of rows) {
    const w = workers.get(t.worker_id);
    if (t.deleted_at) {
      log.deleted(t, w);
    } else if (!w) {
      log.skip({ t, w }, { code: 'worker_missing', text: 'The worker of this timesheet no longer exists.' });
    } else if (settings.onlyApproved && t.approval !== 'approved') {
      log.skip(
        { t, w },
        { code: 'not_approved', text: 'Not approved, and Only Approved is on: approve it to send it.' },
      );
    } else if (!w.procore_person_id && !w.procore_user_id && !settings.includeSubWorkers) {
      log.skip(
        { t, w },
        {
          code: 'sub_workers_off',
          text: `${w.first_name} ${w.last_name} is not a Procore user and Include Sub Workers is off: turn it on to send their time as a Procore contact.`,
        },
      );
    } else if (projects.visible && !projects.names.has(t.procore_project_id)) {
      log.fail(
        { t, w },
        {
          code: 'project_not_visible',
          text: `Worker Sync cannot see project ${t.procore_project_id} in Procore: add the app's service account to the project, or check the project still exists.`,
        },
      );
    } else {
      eligible.push({ t, w });
    }
  }
  await log.flush();

  // 2. People and classifications, each found (or made) once and kept.
  const needPerson = uniqueWorkers(eligible.filter((i) => !i.w?.procore_person_id));
  const people = await resolvePeople(db, procore, companyId, needPerson, signal);
  const classifications = settings.userSyncEnabled
    ? new Map<string, Resolved>()
    : await resolveClassifications(db, procore, companyId, positionsToResolve(eligible), signal);

  const toFind: Item[] = [];
  const toWrite: Item[] = [];
  for (const item of eligible) {
    const w = item.w as WorkerForSend;
    const person: Resolved = w.procore_person_id
      ? { id: w.procore_person_id }
      : (people.get(w.id) ?? { error: 'No Procore person' });
    if ('error' in person) {
      log.fail(item, { code: 'person_failed', text: person.error });
      continue;
    }
    let classificationId: string | null = null;
    if (!settings.userSyncEnabled && w.position_id) {
      const c: Resolved | undefined = w.procore_classification_id
        ? { id: w.procore_classification_id }
        : classifications.get(w.position_id);
      if (c && 'error' in c) {
        log.fail(item, { code: 'classification_failed', text: c.error });
        continue;
      }
      classificationId = c?.id ?? null;
    }
    item.body = timecardBody(item.t, person.id, classificationId);
    item.fp = fingerprint(item.body);
    item.entryId = item.t.procore_timecard_entry_id;
    if (item.t.status === 'sending' && !item.entryId) toFind.push(item);
    else if (item.entryId && item.fp === item.t.sent_fingerprint && item.t.status !== 'sending')
      log.unchanged(item);
    else toWrite.push(item);
  }
  await log.flush();

  // 3. Creates that may have landed unanswered: found by origin_id, never made twice.
  if (toFind.length > 0) {
    const found = await findByOrigin(procore, toFind, signal);
    for (const item of toFind) {
      const entryId = found.get(item.t.id);
      if (!entryId) toWrite.push(item);
      else if (item.fp === item.t.sent_fingerprint) log.done(item, 'created', entryId);
      else toWrite.push({ ...item, entryId });
    }
    await log.flush();
  }

  // 4. Writes, one project at a time.
  for (const [projectId, items] of groupBy(toWrite, (i) => i.t.procore_project_id)) {
    await sendProject(ctx, log, projectId, items);
    await log.flush();
  }

  const counts = log.counts;
  const status = counts.failed > 0 ? 'partial' : 'succeeded';
  const reason =
    counts.failed > 0
      ? `${counts.failed} timesheet${counts.failed === 1 ? '' : 's'} could not be sent; each says why.`
      : null;
  return finishRun(db, companyId, run.id, { status, reason, now: ctx.now() });
}

async function sendProject(ctx: SendContext, log: SendLog, projectId: string, items: Item[]): Promise<void> {
  const { procore, signal } = ctx;
  const project = log.projectLabel(projectId);
  const creates: Item[] = [];
  let refusal: Reason | null = null;

  for (const item of items) {
    if (!item.entryId) {
      creates.push(item);
      continue;
    }
    if (refusal) {
      log.fail(item, refusal);
      continue;
    }
    const before = parseFingerprint(item.t.sent_fingerprint);
    try {
      const { project_id: _project, ...patch } = item.body as BulkTimecardEntryInput;
      await procore.updateTimecardEntry(item.entryId, patch, { signal });
      log.done(item, 'updated', item.entryId, changedFields(before, item.body as BulkTimecardEntryInput));
    } catch (err) {
      rethrowIfRunStopping(err);
      if (isProcoreError(err) && err.code === 'not_found' && !refusal) {
        // Someone deleted the entry in Procore: the timesheet still stands, so it is made again.
        creates.push({
          ...item,
          entryId: null,
          note: `Its Procore entry ${item.entryId} was deleted in Procore, so it was created again.`,
        });
      } else if (isProjectRefusal(err)) {
        refusal = projectRefusal(err, project);
        log.fail(item, refusal);
      } else {
        log.fail(item, entryFailure(err));
      }
    }
  }

  for (let i = 0; i < creates.length; i += BULK_SIZE) {
    const chunk = creates.slice(i, i + BULK_SIZE);
    if (refusal) {
      for (const item of chunk) log.fail(item, refusal);
      continue;
    }
    refusal = await createChunk(ctx, log, project, chunk);
  }
}

/** One bulk create; a 422 on a batch is retried entry by entry so only the bad one fails. */
async function createChunk(
  ctx: SendContext,
  log: SendLog,
  project: string,
  chunk: Item[],
): Promise<Reason | null> {
  const { db, procore, run, signal } = ctx;
  await repo.markSending(
    db,
    run.company_id,
    chunk.map((i) => ({ id: i.t.id, fingerprint: i.fp as string })),
  );
  try {
    const created = await procore.bulkCreateTimecardEntries(
      chunk.map((i) => i.body as BulkTimecardEntryInput),
      { signal },
    );
    const byOrigin = new Map(created.map((e) => [e.origin_id ?? '', e.id]));
    for (const item of chunk) {
      const entryId = byOrigin.get(item.t.id);
      if (entryId) log.done(item, 'created', entryId, [], item.note);
      else
        log.fail(
          item,
          {
            code: 'unconfirmed',
            text: 'Procore answered without this entry; the next send checks whether it arrived before sending it again.',
          },
          'sending',
        );
    }
    return null;
  } catch (err) {
    rethrowIfRunStopping(err);
    if (err instanceof ProcoreUnavailableError && err.mayHaveApplied) {
      const found = await findByOrigin(procore, chunk, signal).catch(() => new Map<string, string>());
      for (const item of chunk) {
        const entryId = found.get(item.t.id);
        if (entryId) log.done(item, 'created', entryId, [], item.note);
        else log.fail(item, entryFailure(err), 'sending');
      }
      return null;
    }
    if (isProjectRefusal(err)) {
      const refusal = projectRefusal(err, project);
      for (const item of chunk) log.fail(item, refusal);
      return refusal;
    }
    if (err instanceof ProcoreValidationError && chunk.length > 1) {
      let refusal: Reason | null = null;
      for (const item of chunk) {
        if (refusal) log.fail(item, refusal);
        else refusal = await createChunk(ctx, log, project, [item]);
      }
      return refusal;
    }
    if (err instanceof ProcoreValidationError && chunk.length === 1) {
      const again = await withPersonFoundAgain(ctx, chunk[0] as Item);
      if (again) return createChunk(ctx, log, project, [again]);
    }
    for (const item of chunk) log.fail(item, entryFailure(err));
    return null;
  }
}

/**
 * A refused create whose person was kept from an earlier send: that person may have been deleted
 * in Procore since. The worker's person is found (or, for a contact, made) again, once per send;
 * when it is another person the entry goes out again for them. The same person means the refusal
 * is about the entry itself, and it stands.
 */
async function withPersonFoundAgain(ctx: SendContext, item: Item): Promise<Item | null> {
  const w = item.w;
  if (!w?.procore_person_id || !item.body) return null;
  ctx.recheckedPeople ??= new Set();
  if (ctx.recheckedPeople.has(w.id)) return null;
  ctx.recheckedPeople.add(w.id);
  const found = (await resolvePeople(ctx.db, ctx.procore, ctx.run.company_id, [w], ctx.signal)).get(w.id);
  if (!found || 'error' in found || found.id === String(item.body.party_id)) return null;
  const body = { ...item.body, party_id: Number(found.id) };
  return {
    ...item,
    body,
    fp: fingerprint(body),
    note: `Their Procore person ${w.procore_person_id} no longer exists in Procore, so the entry went to person ${found.id}.`,
  };
}

/** Entries already in Procore for these timesheets, by `origin_id` (the timesheet id). */
async function findByOrigin(
  procore: CompanySession,
  items: readonly Item[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const dates = items.map((i) => i.t.date).sort();
  const parties = [...new Set(items.map((i) => String(i.body?.party_id ?? '')).filter(Boolean))];
  const wanted = new Set(items.map((i) => i.t.id));
  const found = new Map<string, string>();
  for await (const e of procore.listTimecardEntries({
    startDate: dates[0],
    endDate: dates.at(-1),
    partyIds: parties,
    signal,
  })) {
    if (e.origin_id && wanted.has(e.origin_id) && !found.has(e.origin_id)) found.set(e.origin_id, e.id);
  }
  return found;
}

/** Names for the log; `visible` when Procore listed the company's projects. */
async function projectNames(
  procore: CompanySession,
  rows: readonly repo.TimesheetRow[],
  scope: { projectId: string } | null,
  signal: AbortSignal,
): Promise<{ names: Map<string, string>; visible: boolean }> {
  const names = new Map<string, string>();
  if (rows.length === 0) return { names, visible: false };
  try {
    for await (const p of procore.listProjects({ signal })) names.set(p.id, p.name);
    return { names, visible: true };
  } catch (err) {
    rethrowIfRunStopping(err);
    // The names are only for the log; the entries' own answers say whether a project is refused.
    if (scope) names.delete(scope.projectId);
    return { names, visible: false };
  }
}

function uniqueWorkers(items: readonly Item[]): WorkerForSend[] {
  const out = new Map<string, WorkerForSend>();
  for (const i of items) if (i.w) out.set(i.w.id, i.w);
  return [...out.values()];
}

function positionsToResolve(items: readonly Item[]) {
  const out = new Map<string, { id: string; name: string }>();
  for (const { w } of items) {
    if (w?.position_id && w.position_name && !w.procore_classification_id) {
      out.set(w.position_id, { id: w.position_id, name: w.position_name });
    }
  }
  return [...out.values()];
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}

/** The run's entries and each timesheet's new state, written together batch by batch. */
class SendLog {
  private drafts: TimesheetEntryDraft[] = [];
  private outcomes: repo.SendOutcome[] = [];
  private deletions: string[] = [];
  readonly counts = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };

  constructor(
    private readonly ctx: SendContext,
    private readonly names: Map<string, string>,
  ) {}

  projectLabel(projectId: string): string {
    const name = this.names.get(projectId);
    return name ? `project "${name}"` : `project ${projectId}`;
  }

  private add(
    item: Pick<Item, 't' | 'w'>,
    action: TimesheetEntryDraft['action'],
    reason: Reason | null,
    entryId: string | null,
    changes: FieldChange[] = [],
  ) {
    const { t, w } = item;
    this.counts[action]++;
    this.drafts.push({
      timesheetId: t.id,
      workerId: w ? w.id : null,
      name: w ? `${w.first_name} ${w.last_name}` : `Worker ${t.worker_id}`,
      projectId: t.procore_project_id,
      projectName: this.names.get(t.procore_project_id) ?? null,
      date: t.date,
      hours: Number(t.hours ?? 0).toFixed(2),
      procoreEntryId: entryId,
      action,
      reasonCode: reason?.code ?? null,
      reason: reason?.text ?? null,
      changes,
    });
  }

  deleted(t: repo.TimesheetRow, w: WorkerForSend | undefined) {
    const entry = t.procore_timecard_entry_id;
    this.add(
      { t, w },
      'skipped',
      {
        code: 'deleted_in_app',
        text: `Deleted in the app after it was sent. Its Procore timecard entry ${entry} is left in Procore (Worker Sync never deletes there): remove it in Procore's Timecard tool if it should go.`,
      },
      entry,
    );
    this.deletions.push(t.id);
  }

  skip(item: Pick<Item, 't' | 'w'>, reason: Reason) {
    this.add(item, 'skipped', reason, item.t.procore_timecard_entry_id);
    this.outcome(item.t, { status: 'skipped', error: reason.text });
  }

  fail(item: Item, reason: Reason, status: 'failed' | 'sending' = 'failed') {
    this.add(item, 'failed', reason, item.entryId ?? item.t.procore_timecard_entry_id);
    this.outcome(item.t, { status, error: reason.text });
  }

  unchanged(item: Item) {
    this.add(item, 'unchanged', null, item.entryId ?? null);
    this.outcome(item.t, { status: 'sent', error: null });
  }

  done(
    item: Item,
    action: 'created' | 'updated',
    entryId: string,
    changes: FieldChange[] = [],
    note?: string,
  ) {
    this.add(item, action, note ? { code: 'recreated', text: note } : null, entryId, changes);
    this.outcome(item.t, { status: 'sent', entryId, fingerprint: item.fp ?? null, error: null });
  }

  private outcome(t: repo.TimesheetRow, o: Omit<repo.SendOutcome, 'id' | 'readAt' | 'at'>) {
    this.outcomes.push({ id: t.id, readAt: t.updated_at, at: this.ctx.now(), ...o });
  }

  async flush(): Promise<void> {
    const { db, run } = this.ctx;
    const drafts = this.drafts;
    const outcomes = this.outcomes;
    const deletions = this.deletions;
    this.drafts = [];
    this.outcomes = [];
    this.deletions = [];
    if (drafts.length === 0 && outcomes.length === 0) return;
    const now = this.ctx.now();
    await db.transaction().execute(async (trx) => {
      await repo.recordOutcomes(trx, run.company_id, outcomes);
      await repo.markDeletionsLogged(trx, run.company_id, deletions, now);
      await recordTimesheetEntries(trx, run.company_id, run.id, drafts, now);
    });
  }
}
