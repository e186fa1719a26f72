import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, type TestSandbox, testSandbox } from './helpers';

let t: TestSandbox;
let token: string;
const c = (path: string) => `/rest/v1.0/companies/${ACME}${path}`;
const call = (path: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' = 'GET', body?: unknown) =>
  t.api(token, c(path), { companyId: ACME, method, body });

beforeAll(async () => {
  t = await testSandbox();
  token = await t.serviceToken();
});
afterAll(() => t.sb.app.close());

describe('work classifications', () => {
  it('creates (201), shows, renames, and deletes (200 with the object)', async () => {
    const created = await call('/work_classifications', 'POST', {
      work_classification: { name: 'Glazier', abbreviation: 'GLZ' },
    });
    expect(created.statusCode).toBe(201);
    const w = created.json();
    expect(w).toMatchObject({ name: 'Glazier', abbreviation: 'GLZ', company_id: ACME, deletable: true });
    expect(Number.isInteger(w.id)).toBe(true);
    expect((await call(`/work_classifications/${w.id}`)).json().name).toBe('Glazier');
    const renamed = await call(`/work_classifications/${w.id}`, 'PATCH', {
      work_classification: { name: 'Glazier II' },
    });
    expect(renamed.json().name).toBe('Glazier II');
    const deleted = await call(`/work_classifications/${w.id}`, 'DELETE');
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().id).toBe(w.id);
    expect((await call(`/work_classifications/${w.id}`)).statusCode).toBe(404);
  });

  it('422s a blank or duplicate name with the v1 error body', async () => {
    const list = (await call('/work_classifications')).json() as Array<{ name: string }>;
    expect(list.length).toBeGreaterThan(3);
    const dup = await call('/work_classifications', 'POST', {
      work_classification: { name: list[0]?.name.toUpperCase() },
    });
    expect(dup.statusCode).toBe(422);
    expect(dup.json()).toMatchObject({ code: 422, fields: 'name' });
    const blank = await call('/work_classifications', 'POST', { work_classification: { name: '  ' } });
    expect(blank.statusCode).toBe(422);
  });
});

describe('company people', () => {
  it('lists users’ people (user_id set, distinct person ids) and reference users', async () => {
    const people = (await call('/people?per_page=1000')).json() as Array<{
      id: number;
      user_id: number | null;
    }>;
    const withUser = people.filter((p) => p.user_id !== null);
    expect(withUser.length).toBeGreaterThan(200);
    expect(withUser.every((p) => p.id !== p.user_id)).toBe(true);
  });

  it('creates a reference user, finds it by search and filters, updates it', async () => {
    const res = await call('/people', 'POST', {
      person: {
        first_name: 'Walt',
        last_name: 'Kessler',
        employee_id: 'P-77',
        is_employee: true,
        origin_id: 'w-77',
      },
    });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ user_id: null, last_name: 'Kessler', employee_id: 'P-77', is_employee: true });
    const refs = (await call('/people?filters[reference_users_only]=true')).json() as Array<{ id: number }>;
    expect(refs.map((x) => x.id)).toContain(p.id);
    const found = (await call('/people?filters[search]=kessler')).json() as Array<{ id: number }>;
    expect(found.map((x) => x.id)).toEqual([p.id]);
    const patched = await call(`/people/${p.id}`, 'PATCH', { person: { employee_id: 'P-78' } });
    expect(patched.json().employee_id).toBe('P-78');
    expect((await call('/people', 'POST', { person: { first_name: 'No Last' } })).statusCode).toBe(400);
  });
});

describe('projects', () => {
  it('lists the company’s projects on both paths', async () => {
    const a = (await t.api(token, `/rest/v1.0/projects?company_id=${ACME}`, { companyId: ACME })).json();
    const b = (await call('/projects')).json();
    expect(a.length).toBeGreaterThan(2);
    expect(a).toEqual(b);
    expect(a[0].company).toEqual({ id: ACME, name: 'Acme Builders' });
  });
});

describe('timecards', () => {
  async function refs() {
    const projects = (await call('/projects')).json() as Array<{ id: number; active: boolean }>;
    const people = (await call('/people?per_page=5')).json() as Array<{ id: number; user_id: number | null }>;
    const types = (await call('/timecard_time_types')).json() as Array<{ id: number; time_type: string }>;
    return { project: projects.find((p) => p.active)?.id, party: people[1]?.id, type: types[0]?.id };
  }

  it('lists time types', async () => {
    const types = (await call('/timecard_time_types')).json();
    expect(types.map((x: { time_type: string }) => x.time_type)).toContain('Regular Time');
  });

  it('creates (201), shows, updates and lists entries by party and dates', async () => {
    const { project, party, type } = await refs();
    const res = await call('/timecard_entries', 'POST', {
      project_id: project,
      timecard_entry: {
        date: '2025-03-03',
        hours: '8.5',
        party_id: party,
        timecard_time_type_id: type,
        origin_id: 9001,
        description: 'Framing',
      },
    });
    expect(res.statusCode).toBe(201);
    const e = res.json();
    expect(e).toMatchObject({
      date: '2025-03-03',
      hours: '8.50',
      origin_id: 9001,
      party: { id: party },
      project: { id: project },
    });
    expect(typeof e.hours).toBe('string');
    const updated = await call(`/timecard_entries/${e.id}`, 'PATCH', { timecard_entry: { hours: '7' } });
    expect(updated.json().hours).toBe('7.00');
    const listed = (
      await call(`/timecard_entries?filters[party_id]=${party}&start_date=2025-03-01&end_date=2025-03-07`)
    ).json();
    expect(listed.map((x: { id: number }) => x.id)).toContain(e.id);
    const outside = (await call(`/timecard_entries?filters[party_id]=${party}&start_date=2025-04-01`)).json();
    expect(outside.map((x: { id: number }) => x.id)).not.toContain(e.id);
    expect((await call(`/timecard_entries/${e.id}`)).json().id).toBe(e.id);
  });

  it('422s what Procore refuses', async () => {
    const { project, party } = await refs();
    const bad = async (body: unknown) => (await call('/timecard_entries', 'POST', body)).statusCode;
    expect(await bad({ project_id: project, timecard_entry: { hours: '8', party_id: party } })).toBe(422);
    expect(await bad({ timecard_entry: { date: '2025-03-03', hours: '8', party_id: party } })).toBe(422);
    expect(
      await bad({ project_id: project, timecard_entry: { date: '2025-03-03', hours: '8', party_id: 1 } }),
    ).toBe(422);
    expect(
      await bad({
        project_id: project,
        timecard_entry: { date: '2025-03-03', hours: '25', party_id: party },
      }),
    ).toBe(422);
    expect(
      await bad({
        project_id: project,
        timecard_entry: { date: '2025-03-03', hours: '8', party_id: party, origin_id: 'abc' },
      }),
    ).toBe(422);
    const res = await call('/timecard_entries', 'POST', {
      project_id: 1,
      timecard_entry: { date: '2025-03-03', party_id: party },
    });
    expect(res.json()).toMatchObject({ code: 422, fields: 'project_id' });
  });

  it('bulk creates through /timesheets (200, array; integer hours accepted), all or nothing', async () => {
    const { project, party } = await refs();
    const ok = await call('/timesheets', 'POST', {
      timecard_entries: [
        { project_id: project, party_id: party, date: '2025-03-04', hours: 8 },
        {
          project_id: project,
          party_id: party,
          date: '2025-03-05',
          time_in: '07:00',
          time_out: '15:30',
          lunch_time: '30',
        },
      ],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().map((e: { hours: string }) => e.hours)).toEqual(['8.00', '8.00']);
    const before = (await call('/timecard_entries?per_page=1000')).json().length;
    const bad = await call('/timesheets', 'POST', {
      timecard_entries: [
        { project_id: project, party_id: party, date: '2025-03-06', hours: 8 },
        { project_id: project, party_id: party, hours: 8 },
      ],
    });
    expect(bad.statusCode).toBe(422);
    expect((await call('/timecard_entries?per_page=1000')).json().length).toBe(before);
  });
});
