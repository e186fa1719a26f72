import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, links, type TestSandbox, testSandbox } from './helpers';

let t: TestSandbox;
let token: string;

beforeAll(async () => {
  t = await testSandbox();
  token = await t.serviceToken();
});
afterAll(() => t.sb.app.close());

const list = (query: string, version = 'v1.3') =>
  t.api(token, `/rest/${version}/companies/${ACME}/users${query}`, { companyId: ACME });

describe('company users list', () => {
  it('has every field of Procore’s list item, in Procore’s types', async () => {
    const res = await list('?per_page=300');
    expect(res.statusCode).toBe(200);
    const users = res.json() as Array<Record<string, unknown>>;
    for (const u of users) {
      expect(Number.isInteger(u.id)).toBe(true);
      expect(typeof u.is_employee).toBe('boolean');
      expect(u.is_active).toBe(true);
      expect(u.employee_id === null || typeof u.employee_id === 'string').toBe(true);
      expect(u.work_classification_id === null || Number.isInteger(u.work_classification_id)).toBe(true);
      expect(typeof u.last_name).toBe('string');
      expect(typeof u.name).toBe('string');
    }
    const keys = Object.keys(users[0] ?? {}).sort();
    for (const k of [
      'address',
      'avatar',
      'business_id',
      'business_phone',
      'business_phone_extension',
      'city',
      'company_permission_template',
      'contact_id',
      'country_code',
      'created_at',
      'email_address',
      'email_signature',
      'employee_id',
      'erp_integrated_accountant',
      'fax_number',
      'first_name',
      'id',
      'initials',
      'is_active',
      'is_employee',
      'job_title',
      'last_login_at',
      'last_name',
      'mobile_phone',
      'name',
      'notes',
      'origin_data',
      'origin_id',
      'permission_template',
      'state_code',
      'updated_at',
      'vendor',
      'welcome_email_sent_at',
      'work_classification_id',
      'zip',
    ]) {
      expect(keys).toContain(k);
    }
    const v10 = (await list('?per_page=1', 'v1.0')).json()[0];
    expect(Object.keys(v10)).toHaveLength(36);
  });

  it('lists only active users; inactive ones are under /users/inactive', async () => {
    const active = (await list('?per_page=1000')).json() as Array<{ id: number }>;
    const inactiveRes = await t.api(token, `/rest/v1.0/companies/${ACME}/users/inactive?per_page=1000`, {
      companyId: ACME,
    });
    const inactive = inactiveRes.json() as Array<{ id: number; is_active: boolean }>;
    expect(inactive.length).toBeGreaterThan(0);
    expect(inactive.every((u) => u.is_active === false)).toBe(true);
    const activeIds = new Set(active.map((u) => u.id));
    expect(inactive.some((u) => activeIds.has(u.id))).toBe(false);
  });

  it('shows one user with the show shape (v1.3 adds contact_id)', async () => {
    const [first] = (await list('?per_page=1')).json() as Array<{ id: number }>;
    const show = await t.api(token, `/rest/v1.3/companies/${ACME}/users/${first?.id}`, { companyId: ACME });
    expect(show.statusCode).toBe(200);
    expect(show.json()).toMatchObject({ id: first?.id });
    expect(show.json()).toHaveProperty('company_permission_template_id');
    expect(show.json()).toHaveProperty('contact_id');
    const v10 = await t.api(token, `/rest/v1.0/companies/${ACME}/users/${first?.id}`, { companyId: ACME });
    expect(Object.keys(v10.json())).toHaveLength(34);
    expect((await t.api(token, `/rest/v1.3/companies/${ACME}/users/1`, { companyId: ACME })).statusCode).toBe(
      404,
    );
  });

  it('v1.3 view=ids_only returns bare ids; view=extended adds role and verified_employee', async () => {
    const ids = (await list('?per_page=5&view=ids_only')).json();
    expect(ids.every((id: unknown) => Number.isInteger(id))).toBe(true);
    const ext = (await list('?per_page=1&view=extended')).json()[0];
    expect(ext).toHaveProperty('verified_employee');
    expect(ext).toHaveProperty('role');
  });

  it('searches names, emails, job titles and vendor names', async () => {
    const [someone] = (await list('?per_page=1&sort=name')).json() as Array<{ last_name: string }>;
    const found = (
      await list(`?filters[search]=${encodeURIComponent(someone?.last_name ?? '')}`)
    ).json() as Array<{
      last_name: string;
    }>;
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((u) => u.last_name === someone?.last_name)).toBe(true);
    const none = await list('?filters[search]=zzzz-no-one');
    expect(none.json()).toEqual([]);
    expect(none.headers.total).toBe('0');
    expect(none.headers.link).toBeUndefined();
  });

  it('sorts by name, ascending and descending', async () => {
    const asc = (await list('?per_page=1000&sort=name')).json() as Array<{ last_name: string }>;
    const names = asc.map((u) => u.last_name.toLowerCase());
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const desc = (await list('?per_page=1000&sort=-name')).json() as Array<{ id: number }>;
    expect(desc[0]?.id).toBe((asc as unknown as Array<{ id: number }>).at(-1)?.id);
  });
});

describe('updated_at filter', () => {
  it('returns exactly the users updated inside the range (dates and date-times)', async () => {
    const all = (await list('?per_page=1000')).json() as Array<{ id: number; updated_at: string }>;
    const times = all.map((u) => u.updated_at).sort();
    const from = times[Math.floor(times.length / 3)] as string;
    const to = times[Math.floor((2 * times.length) / 3)] as string;
    const expected = all
      .filter((u) => u.updated_at >= from && u.updated_at <= to)
      .map((u) => u.id)
      .sort();
    const got = (await list(`?per_page=1000&filters[updated_at]=${from}...${to}`)).json() as Array<{
      id: number;
    }>;
    expect(got.map((u) => u.id).sort()).toEqual(expected);

    const day = from.slice(0, 10);
    const byDay = (await list(`?per_page=1000&filters[updated_at]=${day}...${day}`)).json() as Array<{
      updated_at: string;
    }>;
    expect(byDay.length).toBe(all.filter((u) => u.updated_at.startsWith(day)).length);
    expect(byDay.every((u) => u.updated_at.startsWith(day))).toBe(true);

    expect((await list('?filters[updated_at]=last-week')).statusCode).toBe(400);
  });

  it('picks up a user changed after a watermark', async () => {
    const watermark = `${new Date(Date.now() - 1000).toISOString().slice(0, 19)}Z`;
    const [victim] = (await list('?per_page=1')).json() as Array<{ id: number }>;
    await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${victim?.id}`, { job_title: 'Site Lead' });
    const changed = (await list(`?filters[updated_at]=${watermark}...2999-01-01T00:00:00Z`)).json() as Array<{
      id: number;
      updated_at: string;
    }>;
    expect(changed.map((u) => u.id)).toContain(victim?.id);
    expect(changed.every((u) => u.updated_at >= watermark)).toBe(true);
    const before = (
      await list(`?per_page=1000&filters[updated_at]=2000-01-01...${watermark}`)
    ).json() as Array<{ id: number }>;
    expect(before.map((u) => u.id)).not.toContain(victim?.id);
  });
});

describe('pagination', () => {
  async function withUsers(n: number) {
    await t.control('POST', '/_sandbox/reset', { users: n });
    token = await t.serviceToken();
    const res = await list('?per_page=1');
    return Number(res.headers.total);
  }

  it('one page exactly: no Link header, Total and Per-Page set', async () => {
    const total = await withUsers(8);
    const res = await list(`?per_page=${total}`);
    expect(res.json()).toHaveLength(total);
    expect(res.headers['per-page']).toBe(String(total));
    expect(res.headers.link).toBeUndefined();
  });

  it('one more than a page: page 1 links next and last; page 2 links first and prev only', async () => {
    const total = await withUsers(8);
    const perPage = total - 1;
    const p1 = await list(`?per_page=${perPage}`);
    expect(p1.json()).toHaveLength(perPage);
    const l1 = links(p1.headers.link);
    expect(Object.keys(l1).sort()).toEqual(['last', 'next']);
    expect(l1.next?.searchParams.get('page')).toBe('2');
    expect(l1.last?.searchParams.get('page')).toBe('2');
    expect(l1.next?.searchParams.get('per_page')).toBe(String(perPage));

    const p2 = await t.api(token, `${l1.next?.pathname}${l1.next?.search}`, { companyId: ACME });
    expect(p2.json()).toHaveLength(1);
    const l2 = links(p2.headers.link);
    expect(Object.keys(l2).sort()).toEqual(['first', 'prev']);
    expect(l2.first?.searchParams.get('page')).toBe('1');
    const ids = [...p1.json(), ...p2.json()].map((u: { id: number }) => u.id);
    expect(new Set(ids).size).toBe(total);
  });

  it('a middle page has first, prev, next and last; following next visits everyone once', async () => {
    const total = await withUsers(25);
    const seen: number[] = [];
    let url: string | undefined = `/rest/v1.3/companies/${ACME}/users?per_page=5&page=1`;
    let sawMiddle = false;
    while (url) {
      const res = await t.api(token, url, { companyId: ACME });
      seen.push(...res.json().map((u: { id: number }) => u.id));
      const l = links(res.headers.link);
      if (l.first && l.next) {
        expect(Object.keys(l).sort()).toEqual(['first', 'last', 'next', 'prev']);
        sawMiddle = true;
      }
      url = l.next ? `${l.next.pathname}${l.next.search}` : undefined;
    }
    expect(sawMiddle).toBe(true);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('a company with no users to list: empty array, Total 0, no Link', async () => {
    await withUsers(3);
    const res = await t.api(token, `/rest/v1.0/companies/${ACME}/users/inactive`, { companyId: ACME });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
    expect(res.headers.total).toBe('0');
    expect(res.headers.link).toBeUndefined();
  });

  it('clamps per_page above the maximum and says so in Per-Page', async () => {
    const total = await withUsers(30);
    await t.control('PATCH', '/_sandbox/settings', { maxPerPage: 10 });
    try {
      const res = await list('?per_page=500');
      expect(res.headers['per-page']).toBe('10');
      expect(res.json()).toHaveLength(10);
      const last = links(res.headers.link).last;
      expect(last?.searchParams.get('page')).toBe(String(Math.ceil(total / 10)));
    } finally {
      await t.control('PATCH', '/_sandbox/settings', { maxPerPage: 10000 });
    }
  });

  it('a page past the end is empty, linking back', async () => {
    await withUsers(4);
    const res = await list('?per_page=5&page=9');
    expect(res.json()).toEqual([]);
    expect(Object.keys(links(res.headers.link)).sort()).toEqual(['first', 'prev']);
  });
});
