import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACME, LAKESHORE, SUMMIT, type TestSandbox, testSandbox } from './helpers';

/**
 * The permission manifest (procore-api.md §2.5): the signed-in user's tools and levels, derived
 * from their permission template, under the same token and company rules as every other route.
 */
let t: TestSandbox;
const ids: Record<string, number> = {};

interface Tool {
  id: number;
  name: string;
  friendly_name: string;
  available_for_user: boolean;
  user_access_level: { id: number; name: string };
  permitted_actions: Array<{ id: number; action_name: string; label: string; tool_name: string }>;
  can_create: boolean;
  create_url: string | null;
}

async function userId(search: string): Promise<number> {
  const [user] = (await t.control('GET', `/_sandbox/companies/${ACME}/users?search=${search}`)).json().items;
  return user.id;
}

async function userToken(id: number): Promise<string> {
  return (await t.control('POST', '/_sandbox/tokens', { user_id: id })).json().access_token;
}

const manifestUrl = (query = `company_id=${ACME}`) => `/rest/v1.0/settings/permissions?${query}`;

async function manifest(token: string, query?: string, companyId = ACME) {
  return t.api(token, manifestUrl(query), { companyId });
}

async function levels(id: number): Promise<Record<string, string>> {
  const res = await manifest(await userToken(id));
  expect(res.statusCode).toBe(200);
  return Object.fromEntries(
    (res.json().tools as Tool[]).map((tool) => [tool.name, tool.user_access_level.name]),
  );
}

beforeAll(async () => {
  t = await testSandbox();
  for (const name of ['dana', 'luis.ortega', 'bernadette', 'theo.marchetti', 'ken.yamamoto']) {
    ids[name] = await userId(name);
  }
});
afterEach(async () => {
  await t.control('PATCH', '/_sandbox/settings', {
    permissions: {
      manifest: 'answer',
      adminToolName: 'admin',
      adminToolFriendlyName: 'Admin',
      omitCompanyPermissionTemplate: false,
    },
  });
});
afterAll(() => t.sb.app.close());

describe('GET /rest/v1.0/settings/permissions', () => {
  it("answers { tools: [...] } with every field of Procore's Tool, in its types", async () => {
    const res = await manifest(await userToken(ids.dana!));
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(['tools']);
    const tools = res.json().tools as Array<Record<string, unknown>>;
    expect(tools.length).toBeGreaterThan(3);
    for (const tool of tools) {
      expect(Object.keys(tool).sort()).toEqual(
        [
          'available_for_user',
          'can_create',
          'create_url',
          'domain_id',
          'friendly_name',
          'id',
          'name',
          'permitted_actions',
          'tab_group',
          'trial',
          'url',
          'user_access_level',
        ].sort(),
      );
      expect(Number.isInteger(tool.id)).toBe(true);
      expect(Number.isInteger(tool.domain_id)).toBe(true);
      for (const key of ['name', 'friendly_name', 'tab_group', 'url'])
        expect(typeof tool[key]).toBe('string');
      for (const key of ['available_for_user', 'can_create', 'trial'])
        expect(typeof tool[key]).toBe('boolean');
      expect(tool.create_url === null || typeof tool.create_url === 'string').toBe(true);
      expect(Array.isArray(tool.permitted_actions)).toBe(true);
      const level = tool.user_access_level as { id: unknown; name: unknown };
      expect(Number.isInteger(level.id)).toBe(true);
      expect(['None', 'Read Only', 'Standard', 'Admin']).toContain(level.name);
    }
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('admin');
    expect(names).toContain('directory');
  });

  it("gives each user the levels of their template, whatever the template's name", async () => {
    expect(await levels(ids.dana!)).toMatchObject({ admin: 'Admin', directory: 'Admin' });
    expect(await levels(ids['luis.ortega']!)).toMatchObject({ admin: 'Read Only', directory: 'Standard' });
    // "Office Manager" is an admin template; "Admin Assistant" is not one.
    expect(await levels(ids.bernadette!)).toMatchObject({ admin: 'Admin', directory: 'Admin' });
    expect(await levels(ids['theo.marchetti']!)).toMatchObject({ admin: 'Standard', directory: 'Standard' });
    expect(await levels(ids['ken.yamamoto']!)).toMatchObject({ admin: 'None', directory: 'Read Only' });

    const crew = (await manifest(await userToken(ids['ken.yamamoto']!))).json().tools as Tool[];
    const admin = crew.find((tool) => tool.name === 'admin');
    expect(admin).toMatchObject({ available_for_user: false, can_create: false, create_url: null });
    const theo = (await manifest(await userToken(ids['theo.marchetti']!))).json().tools as Tool[];
    expect(theo.find((tool) => tool.name === 'reports')?.permitted_actions).toEqual([
      expect.objectContaining({ action_name: 'create_custom_reports', tool_name: 'reports' }),
    ]);
  });

  it('agrees with the control API and the company summary on who is an admin', async () => {
    const summary = await t.companySummary(ACME);
    expect(summary.admin_user_ids).toEqual([ids.dana, ids.bernadette]);
    const users = (await t.control('GET', `/_sandbox/companies/${ACME}/users?search=acmebuilders`)).json()
      .items as Array<{
      id: number;
      is_company_admin: boolean;
      company_permission_template: { name: string };
    }>;
    const theo = users.find((u) => u.id === ids['theo.marchetti']);
    expect(theo).toMatchObject({
      is_company_admin: false,
      company_permission_template: { name: 'Admin Assistant' },
    });
    const bernadette = users.find((u) => u.id === ids.bernadette);
    expect(bernadette).toMatchObject({
      is_company_admin: true,
      company_permission_template: { name: 'Office Manager' },
    });
  });

  it("answers the service account with the app's own rights: never an admin", async () => {
    const res = await manifest(await t.serviceToken());
    expect(res.statusCode).toBe(200);
    const tools = res.json().tools as Tool[];
    expect(tools.find((tool) => tool.name === 'admin')?.user_access_level.name).toBe('None');
    expect(tools.find((tool) => tool.name === 'directory')?.user_access_level.name).toBe('Read Only');
  });

  it('keeps the company rules: token, header, membership, installation', async () => {
    const dana = await userToken(ids.dana!);
    expect((await t.sb.app.inject({ url: manifestUrl() })).statusCode).toBe(401);
    const noHeader = await t.api(dana, manifestUrl());
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json().message).toBe('Missing Procore-Company-Id header!');
    expect((await manifest(dana, `company_id=${ACME}`, SUMMIT)).statusCode).toBe(400);
    const luis = await userToken(ids['luis.ortega']!);
    expect((await manifest(luis, `company_id=${SUMMIT}`, SUMMIT)).statusCode).toBe(404);
    const lakeshore = await manifest(dana, `company_id=${LAKESHORE}`, LAKESHORE);
    expect(lakeshore.statusCode).toBe(403);
    expect(lakeshore.json().message).toBe('App is not connected to this company');
  });

  it('wants company_id or project_id, not neither and not both', async () => {
    const dana = await userToken(ids.dana!);
    expect((await manifest(dana, '')).statusCode).toBe(400);
    const [project] = (await t.companySummary(ACME)).project_ids;
    expect((await manifest(dana, `company_id=${ACME}&project_id=${project}`)).statusCode).toBe(400);
    expect((await manifest(dana, `company_id=${ACME}&filter_correspondence_types=true`)).statusCode).toBe(
      200,
    );
  });

  it("answers a project's manifest from the user's project template", async () => {
    const [project] = (await t.companySummary(ACME)).project_ids;
    const projectLevels = async (id: number) =>
      Object.fromEntries(
        ((await manifest(await userToken(id), `project_id=${project}`)).json().tools as Tool[]).map(
          (tool) => [tool.name, tool.user_access_level.name],
        ),
      );
    expect(await projectLevels(ids.bernadette!)).toMatchObject({ admin: 'Admin', daily_log: 'Admin' });
    expect(await projectLevels(ids['ken.yamamoto']!)).toMatchObject({
      admin: 'None',
      timesheets: 'Standard',
    });
    expect(await projectLevels(ids['theo.marchetti']!)).toMatchObject({ admin: 'None', documents: 'None' });
    expect((await manifest(await userToken(ids.dana!), 'project_id=1')).statusCode).toBe(404);
  });
});

describe('settings.permissions', () => {
  it('manifest: "forbidden" refuses every caller with a plain 403, "not_found" with 404', async () => {
    await t.control('PATCH', '/_sandbox/settings', { permissions: { manifest: 'forbidden' } });
    const refused = await manifest(await userToken(ids.dana!));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 403, reason: 'forbidden' });
    expect(refused.json().message).not.toMatch(/not connected/i);
    expect((await manifest(await t.serviceToken())).statusCode).toBe(403);
    // Only the manifest is refused.
    const users = await t.api(await userToken(ids.dana!), `/rest/v1.3/companies/${ACME}/users?per_page=1`, {
      companyId: ACME,
    });
    expect(users.statusCode).toBe(200);

    await t.control('PATCH', '/_sandbox/settings', { permissions: { manifest: 'not_found' } });
    expect((await manifest(await userToken(ids.dana!))).statusCode).toBe(404);
  });

  it("renames the Admin tool, to try Procore's unconfirmed spellings", async () => {
    await t.control('PATCH', '/_sandbox/settings', {
      permissions: { adminToolName: 'company_admin', adminToolFriendlyName: 'Company Admin' },
    });
    const tools = (await manifest(await userToken(ids.dana!))).json().tools as Tool[];
    expect(tools[0]).toMatchObject({ name: 'company_admin', friendly_name: 'Company Admin' });
  });

  it('omitCompanyPermissionTemplate leaves the template keys out of every user record', async () => {
    const dana = await userToken(ids.dana!);
    const get = async (url: string) => (await t.api(dana, url, { companyId: ACME })).json();
    const urls = {
      listV13: `/rest/v1.3/companies/${ACME}/users?per_page=5`,
      listV10: `/rest/v1.0/companies/${ACME}/users?per_page=5`,
      showShapeList: `/rest/v1.1/users?company_id=${ACME}&per_page=5`,
      show: `/rest/v1.3/companies/${ACME}/users/${ids.dana}`,
      me: `/rest/v1.3/companies/${ACME}/me`,
      meV10: `/rest/v1.0/companies/${ACME}/me`,
    };
    expect((await get(urls.listV13))[0]).toHaveProperty('company_permission_template');
    expect(await get(urls.show)).toHaveProperty('company_permission_template_id');

    await t.control('PATCH', '/_sandbox/settings', { permissions: { omitCompanyPermissionTemplate: true } });
    for (const url of [urls.listV13, urls.listV10, urls.showShapeList]) {
      const items = (await get(url)) as Array<Record<string, unknown>>;
      expect(items.length).toBe(5);
      for (const u of items) {
        expect(u).not.toHaveProperty('company_permission_template');
        expect(u).not.toHaveProperty('company_permission_template_id');
      }
    }
    for (const url of [urls.show, urls.me, urls.meV10]) {
      const record = await get(url);
      expect(record.id).toBe(ids.dana);
      expect(record).not.toHaveProperty('company_permission_template_id');
    }
    // The manifest still knows who is an admin.
    expect(await levels(ids.dana!)).toMatchObject({ admin: 'Admin' });
  });

  it('can be set at reset, and reset restores the defaults', async () => {
    await t.control('POST', '/_sandbox/reset', {
      settings: { permissions: { omitCompanyPermissionTemplate: true } },
    });
    const dana = await userToken(await userId('dana'));
    const show = await t.api(dana, `/rest/v1.3/companies/${ACME}/me`, { companyId: ACME });
    expect(show.json()).not.toHaveProperty('company_permission_template_id');
    await t.control('POST', '/_sandbox/reset', {});
    expect((await t.control('GET', '/_sandbox/settings')).json().permissions).toEqual({
      manifest: 'answer',
      adminToolName: 'admin',
      adminToolFriendlyName: 'Admin',
      omitCompanyPermissionTemplate: false,
    });
  });
});

describe('control API: permission templates', () => {
  it('lists templates with their tool levels, and adds one a user can be given', async () => {
    const list = (await t.control('GET', `/_sandbox/companies/${ACME}/permission_templates`)).json().items;
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'Office Manager',
          type: 'company_tools',
          tools: expect.objectContaining({ admin: 'Admin' }),
        }),
        expect.objectContaining({
          name: 'Admin Assistant',
          tools: expect.objectContaining({ admin: 'Standard' }),
        }),
      ]),
    );
    const made = await t.control('POST', `/_sandbox/companies/${ACME}/permission_templates`, {
      name: 'Back Office',
      tools: { admin: 'Admin', directory: 'Read Only' },
    });
    expect(made.statusCode).toBe(201);
    const template = made.json();
    expect(template).toMatchObject({ name: 'Back Office', type: 'company_tools', project_specific: false });
    const ken = ids['ken.yamamoto']!;
    await t.control('PATCH', `/_sandbox/companies/${ACME}/users/${ken}`, {
      company_permission_template_id: template.id,
    });
    expect(await levels(ken)).toMatchObject({ admin: 'Admin', directory: 'Read Only', documents: 'None' });
    const listed = await t.api(await userToken(ken), `/rest/v1.0/companies/${ACME}/users/${ken}`, {
      companyId: ACME,
    });
    expect(listed.json().company_permission_template_id).toBe(template.id);
    // A user record shows a template's identity, never what it grants (§2.2).
    const item = (
      await t.api(await userToken(ken), `/rest/v1.3/companies/${ACME}/users?filters[search]=yamamoto`, {
        companyId: ACME,
      })
    ).json()[0];
    expect(item.company_permission_template).toEqual({
      id: template.id,
      name: 'Back Office',
      project_specific: false,
      type: 'company_tools',
    });

    const bad = await t.control('POST', `/_sandbox/companies/${ACME}/permission_templates`, {
      name: 'Typo',
      tools: { adminn: 'Admin' },
    });
    expect(bad.statusCode).toBe(400);
    const badLevel = await t.control('POST', `/_sandbox/companies/${ACME}/permission_templates`, {
      name: 'Typo',
      tools: { admin: 'Owner' },
    });
    expect(badLevel.statusCode).toBe(400);
  });
});

describe('sign-in page', () => {
  it('offers the office staff by name, with their template and Admin tool level', async () => {
    const page = await t.sb.app.inject({
      url: '/oauth/authorize?response_type=code&client_id=sandbox-client&redirect_uri=http://localhost:3000/cb',
    });
    expect(page.statusCode).toBe(200);
    const button = (id: number) => {
      const start = page.body.indexOf(`name="user_id" value="${id}"`);
      expect(start).toBeGreaterThan(-1);
      return page.body.slice(start, page.body.indexOf('</button>', start));
    };
    const bernadette = button(ids.bernadette!);
    expect(bernadette).toContain('Bernadette Quinlan');
    expect(bernadette).toContain('Admin tool: Admin');
    expect(bernadette).toContain('class="tag admin">Office Manager');
    const theo = button(ids['theo.marchetti']!);
    expect(theo).toContain('Theo Marchetti');
    expect(theo).toContain('Admin tool: Standard');
    expect(theo).toContain('class="tag">Admin Assistant');
    expect(button(ids['luis.ortega']!)).toContain('class="tag">Company Standard');
    expect(button(ids.dana!)).toContain('class="tag admin">Company Admin');
  });
});
