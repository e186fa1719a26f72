import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Services } from '../../../server/services';
import { changeSettings } from '../../../server/settings/settings.service';
import { requestManualSend } from '../../../server/timesheets/send.service';
import { executeTimesheetRun } from '../../../server/timesheets/send-run';
import {
  createTimesheet,
  deleteTimesheet,
  updateTimesheet,
} from '../../../server/timesheets/timesheets.service';
import { createLocalWorker } from '../../../server/workers/workers.service';
import { testServices } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { newCompany } from '../../helpers/sync-factories';
import { ACME, type SyncSandbox, startSyncSandbox } from '../../helpers/sync-sandbox';
import { sendTimesheets } from '../../helpers/timesheet-send';

/**
 * Timesheets to Procore timecards against the real sandbox through the real client: contacts,
 * classifications, one entry per timesheet however often it is sent, and the log.
 */
interface Entry {
  id: number;
  date: string;
  hours: string;
  origin_id: number | null;
  party: { id: number; name: string } | null;
  project: { id: number } | null;
  description: string | null;
  approval_status: string;
  work_classification_id: number | null;
}
interface Person {
  id: number;
  first_name: string | null;
  last_name: string;
  employee_id: string | null;
  user_id: number | null;
  origin_id: string | null;
}

describeEachDatabase('sending timesheets to Procore', ({ db }) => {
  let sb: SyncSandbox;
  let services: Services;
  let projects: number[];
  let token: string;
  let luisId: number;
  let seq = 0;

  const rest = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sb.sandbox.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, 'procore-company-id': ACME },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const entries = async () =>
    (await sb.control<{ items: Entry[] }>(`/_sandbox/companies/${ACME}/timecards`)).items;
  const people = () => rest<Person[]>(`/rest/v1.0/companies/${ACME}/people?per_page=1000`);
  const writesAfter = async (id: number) =>
    (await sb.requestsAfter(id)).filter((r) => r.method !== 'GET' && !r.path.startsWith('/oauth'));

  const send = (projectId: number, from = '2026-11-02', to = '2026-11-08') =>
    sendTimesheets(services, ACME, { projectId, from, to });

  const localWorker = async (o: { payrollId?: string; positionId?: string | null } = {}) => {
    seq += 1;
    return createLocalWorker(db().db, ACME, {
      firstName: 'Sam',
      lastName: `Local${seq}`,
      phone: `+1 312 555 ${String(2000 + seq).padStart(4, '0')}`,
      email: null,
      payrollId: o.payrollId ?? `PAY-${seq}`,
      positionId: o.positionId ?? null,
    });
  };

  beforeAll(async () => {
    sb = await startSyncSandbox();
    const summary = await sb.control(`/_sandbox/companies/${ACME}`);
    projects = summary.project_ids;
    await newCompany(db().db, {
      id: ACME,
      name: summary.name,
      serviceAccountUserId: String(summary.service_account_user_id),
    });
    services = await testServices(db(), testConfig({ SANDBOX_PORT: String(sb.port) }));
    token = (await sb.control('/_sandbox/tokens', { method: 'POST', body: { service_account: true } }))
      .access_token;
    luisId = summary.standard_user_ids[0];
  });
  afterAll(async () => {
    await services?.close();
    await sb?.close();
  });
  beforeEach(async () => {
    await changeSettings(db().db, ACME, {
      userSyncEnabled: true,
      onlyApproved: false,
      includeSubWorkers: true,
    });
  });

  it("makes one person and one entry for a local worker's first timesheet, then changes nothing", async () => {
    const w = await localWorker({ payrollId: 'P-7001' });
    const t = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-11-02',
      timeIn: '07:00',
      timeOut: '15:30',
      breakMinutes: 30,
      notes: 'Framing level 2',
    });
    const before = await entries();
    const { run, log } = await send(projects[0]!);
    expect(run.status).toBe('succeeded');
    expect(log).toEqual([expect.objectContaining({ action: 'created', timesheet_id: t.id })]);

    const made = (await people()).filter((p) => p.origin_id === w.id);
    expect(made).toEqual([
      expect.objectContaining({
        first_name: 'Sam',
        last_name: w.lastName,
        employee_id: 'P-7001',
        user_id: null,
      }),
    ]);
    const added = (await entries()).filter((e) => !before.some((b) => b.id === e.id));
    expect(added).toEqual([
      expect.objectContaining({
        date: '2026-11-02',
        hours: '8.00',
        origin_id: Number(t.id),
        party: expect.objectContaining({ id: made[0]!.id }),
        description: 'Framing level 2 (Created by Worker Sync)',
      }),
    ]);

    const mark = await sb.lastRequestId();
    const again = await send(projects[0]!);
    expect(again.log.map((e) => e.action)).toEqual(['unchanged']);
    expect(await writesAfter(mark)).toEqual([]);
    expect((await entries()).length).toBe(before.length + 1);

    // An edit updates the same entry.
    await updateTimesheet(db().db, ACME, t.id, { hours: 9.5 });
    const edited = await send(projects[0]!);
    expect(edited.log).toEqual([
      expect.objectContaining({ action: 'updated', procore_entry_id: added[0]!.id.toString() }),
    ]);
    const after = await entries();
    expect(after.length).toBe(before.length + 1);
    expect(after.find((e) => e.id === added[0]!.id)?.hours).toBe('9.50');
  });

  it("sends a Procore user's worker as that user's person", async () => {
    const row = await db()
      .db.insertInto('workers')
      .values({
        company_id: ACME,
        first_name: 'Luis',
        last_name: 'Ortega',
        phone: '+13125550990',
        source: 'procore_user',
        procore_user_id: String(luisId),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const t = await createTimesheet(db().db, ACME, {
      workerId: row.id,
      projectId: String(projects[0]),
      date: '2026-11-03',
      hours: 8,
    });
    const { log } = await send(projects[0]!);
    expect(log.find((e) => e.timesheet_id === t.id)?.action).toBe('created');
    const person = (await people()).find((p) => p.user_id === luisId);
    const entry = (await entries()).find((e) => e.origin_id === Number(t.id));
    expect(entry?.party?.id).toBe(person?.id);
  });

  it('puts the position on the entry as a classification when user sync is off, reusing one that exists', async () => {
    await changeSettings(db().db, ACME, { userSyncEnabled: false });
    const carp = await db()
      .db.insertInto('positions')
      .values({ company_id: ACME, name: 'carpenter' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rig = await db()
      .db.insertInto('positions')
      .values({ company_id: ACME, name: 'Rigging Specialist' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const a = await localWorker({ positionId: carp.id });
    const b = await localWorker({ positionId: rig.id });
    const c = await localWorker({ positionId: rig.id });
    for (const w of [a, b, c]) {
      await createTimesheet(db().db, ACME, {
        workerId: w.id,
        projectId: String(projects[1]),
        date: '2026-11-04',
        hours: 7,
      });
    }
    const classesBefore = await rest<Array<{ id: number; name: string }>>(
      `/rest/v1.0/companies/${ACME}/work_classifications`,
    );
    const { log } = await send(projects[1]!);
    expect(log.map((e) => e.action)).toEqual(['created', 'created', 'created']);
    const classes = await rest<Array<{ id: number; name: string }>>(
      `/rest/v1.0/companies/${ACME}/work_classifications`,
    );
    expect(classes.length).toBe(classesBefore.length + 1);
    const carpenter = classes.find((k) => k.name === 'Carpenter');
    const rigging = classes.filter((k) => k.name === 'Rigging Specialist');
    expect(rigging).toHaveLength(1);
    const byParty = await entries();
    const classOf = async (workerId: string) => {
      const w = await db()
        .db.selectFrom('workers')
        .select('procore_person_id')
        .where('id', '=', workerId)
        .executeTakeFirst();
      return byParty.find((e) => e.party?.id === Number(w?.procore_person_id))?.work_classification_id;
    };
    expect(await classOf(a.id)).toBe(carpenter?.id);
    expect(await classOf(b.id)).toBe(rigging[0]?.id);
    expect(await classOf(c.id)).toBe(rigging[0]?.id);
  });

  it('sends approved timesheets only with Only Approved, and skips local workers without Include Sub Workers', async () => {
    await changeSettings(db().db, ACME, { onlyApproved: true, includeSubWorkers: false });
    const w = await localWorker();
    const pending = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[2]),
      date: '2026-11-05',
      hours: 6,
    });
    const approved = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[2]),
      date: '2026-11-06',
      hours: 6,
      approval: 'approved',
    });
    const mark = await sb.lastRequestId();
    const { log } = await send(projects[2]!);
    const by = new Map(log.map((e) => [e.timesheet_id, e]));
    expect(by.get(pending.id)).toMatchObject({ action: 'skipped', reason_code: 'not_approved' });
    expect(by.get(approved.id)).toMatchObject({ action: 'skipped', reason_code: 'sub_workers_off' });
    expect(by.get(approved.id)?.reason).toContain('Include Sub Workers is off');
    expect(await writesAfter(mark)).toEqual([]);

    await changeSettings(db().db, ACME, { includeSubWorkers: true });
    const second = await send(projects[2]!);
    const by2 = new Map(second.log.map((e) => [e.timesheet_id, e.action]));
    expect(by2.get(pending.id)).toBe('skipped');
    expect(by2.get(approved.id)).toBe('created');
    expect((await entries()).find((e) => e.origin_id === Number(approved.id))?.approval_status).toBe(
      'approved',
    );
  });

  it('leaves a timesheet deleted in the app in Procore, and says so', async () => {
    const w = await localWorker();
    const t = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-11-07',
      hours: 4,
    });
    await send(projects[0]!, '2026-11-07', '2026-11-07');
    await deleteTimesheet(db().db, ACME, t.id);
    const mark = await sb.lastRequestId();
    const { log } = await send(projects[0]!, '2026-11-07', '2026-11-07');
    expect(log).toEqual([expect.objectContaining({ action: 'skipped', reason_code: 'deleted_in_app' })]);
    expect(log[0]?.reason).toContain('left in Procore');
    expect(await writesAfter(mark)).toEqual([]);
    expect((await entries()).filter((e) => e.origin_id === Number(t.id))).toHaveLength(1);
    // Said once: the next send has nothing to say about it.
    expect((await send(projects[0]!, '2026-11-07', '2026-11-07')).log).toEqual([]);
  });

  it('fails the timesheets of a project whose Timecard tool is off, and sends the other project', async () => {
    await sb.control(`/_sandbox/companies/${ACME}/projects/${projects[3]}`, {
      method: 'PATCH',
      body: { timecards_enabled: false },
    });
    const w = await localWorker();
    const refused = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[3]),
      date: '2026-11-09',
      hours: 8,
    });
    const fine = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-11-09',
      hours: 8,
    });
    // The hourly send covers every project.
    const { run: done, log } = await sendTimesheets(services, ACME);
    expect(done.status).toBe('partial');
    const by = new Map(log.map((e) => [e.timesheet_id, e]));
    expect(by.get(refused.id)).toMatchObject({ action: 'failed', reason_code: 'project_refused' });
    expect(by.get(refused.id)?.reason).toContain('Timecard tool');
    expect(by.get(fine.id)?.action).toBe('created');
    await sb.control(`/_sandbox/companies/${ACME}/projects/${projects[3]}`, {
      method: 'PATCH',
      body: { timecards_enabled: true },
    });
  });

  it('names the field of a 422, and sends the rest of the batch', async () => {
    await changeSettings(db().db, ACME, { userSyncEnabled: false });
    const gone = await db()
      .db.insertInto('positions')
      .values({ company_id: ACME, name: 'Ghost Trade', procore_classification_id: '99999999' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const bad = await localWorker({ positionId: gone.id });
    const good = await localWorker();
    const t1 = await createTimesheet(db().db, ACME, {
      workerId: bad.id,
      projectId: String(projects[1]),
      date: '2026-11-10',
      hours: 8,
    });
    const t2 = await createTimesheet(db().db, ACME, {
      workerId: good.id,
      projectId: String(projects[1]),
      date: '2026-11-10',
      hours: 8,
    });
    const { log } = await send(projects[1]!, '2026-11-10', '2026-11-10');
    const by = new Map(log.map((e) => [e.timesheet_id, e]));
    expect(by.get(t1.id)?.action).toBe('failed');
    expect(by.get(t1.id)?.reason).toContain('work_classification_id');
    expect(by.get(t2.id)?.action).toBe('created');
  });

  it("makes a worker's contact again when it was deleted in Procore after an earlier send", async () => {
    const w = await localWorker({ payrollId: 'P-7300' });
    const first = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-11-12',
      hours: 8,
    });
    expect((await send(projects[0]!, '2026-11-12', '2026-11-13')).log).toEqual([
      expect.objectContaining({ timesheet_id: first.id, action: 'created' }),
    ]);
    const [old] = (await people()).filter((p) => p.origin_id === w.id);
    // A Procore admin deletes the contact in the Directory; the next timesheet still goes out.
    await sb.control(`/_sandbox/companies/${ACME}/people/${old!.id}`, { method: 'DELETE' });
    const second = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-11-13',
      hours: 6,
    });
    const { run, log } = await send(projects[0]!, '2026-11-12', '2026-11-13');
    expect(run.status).toBe('succeeded');
    const made = (await people()).filter((p) => p.origin_id === w.id);
    expect(made).toEqual([expect.objectContaining({ last_name: w.lastName, employee_id: 'P-7300' })]);
    expect(made[0]!.id).not.toBe(old!.id);
    const entry = log.find((e) => e.timesheet_id === second.id);
    expect(entry).toEqual(expect.objectContaining({ action: 'created' }));
    expect(entry?.reason).toContain(
      `no longer exists in Procore, so the entry went to person ${made[0]!.id}`,
    );
    const sent = (await entries()).find((e) => e.origin_id === Number(second.id));
    expect(sent?.party?.id).toBe(made[0]!.id);
  });

  it('never duplicates when a create landed but its answer was lost (a send killed midway)', async () => {
    const w = await localWorker();
    const t = await createTimesheet(db().db, ACME, {
      workerId: w.id,
      projectId: String(projects[0]),
      date: '2026-11-11',
      hours: 5,
    });
    // First send makes the person; then the timesheet is edited and "sent" by a process that died
    // after Procore saved the entry but before the app wrote the answer down.
    await send(projects[0]!, '2026-11-11', '2026-11-11');
    const entry = (await entries()).find((e) => e.origin_id === Number(t.id))!;
    await db()
      .db.updateTable('timesheets')
      .set({ status: 'sending', procore_timecard_entry_id: null })
      .where('id', '=', t.id)
      .execute();
    const { log } = await send(projects[0]!, '2026-11-11', '2026-11-11');
    expect(log).toEqual([expect.objectContaining({ action: 'created', procore_entry_id: String(entry.id) })]);
    expect((await entries()).filter((e) => e.origin_id === Number(t.id))).toHaveLength(1);
  });

  it('makes one person and one entry per timesheet when two processes send the same week at once', async () => {
    const other = await testServices(db(), testConfig({ SANDBOX_PORT: String(sb.port) }));
    try {
      const workers = [await localWorker(), await localWorker(), await localWorker()];
      const made: string[] = [];
      for (const w of workers) {
        for (const date of ['2026-11-16', '2026-11-17']) {
          made.push(
            (
              await createTimesheet(db().db, ACME, {
                workerId: w.id,
                projectId: String(projects[0]),
                date,
                hours: 8,
              })
            ).id,
          );
        }
      }
      const ask = (s: Services) =>
        requestManualSend(s, {
          companyId: ACME,
          projectId: String(projects[0]),
          projectName: null,
          from: '2026-11-16',
          to: '2026-11-22',
          startedByUserId: '8150001',
          startedByName: 'Dana Whitfield',
        });
      const [a, b] = await Promise.all([ask(services), ask(other)]);
      expect(a.run.id).toBe(b.run.id);
      const results = await Promise.all([
        executeTimesheetRun(services, ACME, a.run.id),
        executeTimesheetRun(other, ACME, b.run.id),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const all = await entries();
      for (const id of made) expect(all.filter((e) => e.origin_id === Number(id))).toHaveLength(1);
      const persons = await people();
      for (const w of workers) expect(persons.filter((p) => p.origin_id === w.id)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
