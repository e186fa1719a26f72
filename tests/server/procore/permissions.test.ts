import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import type { ProcoreClient } from '../../../server/procore/client';
import {
  ProcoreForbiddenError,
  ProcoreNotConnectedError,
  ProcoreNotFoundError,
  ProcoreSchemaError,
} from '../../../server/procore/errors';
import { companyAdminFrom, toolAccess } from '../../../server/procore/permissions';
import {
  type ProcorePermissionTool,
  parseWith,
  permissionManifestSchema,
} from '../../../server/procore/schemas';
import type { RunningSandbox } from '../../../server/sandbox';
import { freshDatabase } from '../../helpers/db';
import { ACME, control, requests, sandboxClient, startTestSandbox } from './helpers/sandbox';

/** The permission manifest (procore-api.md §2.5) through the client, and the admin question asked of it. */

const tool = (name: string, level: string | null, extra: Record<string, unknown> = {}) => ({
  id: 101,
  name,
  friendly_name: name[0]?.toUpperCase() + name.slice(1),
  domain_id: 1,
  tab_group: 'core_tools',
  available_for_user: level !== 'None',
  url: `/4280001/company/${name}`,
  user_access_level: level === null ? null : { id: 3, name: level },
  permitted_actions: [],
  create_url: null,
  can_create: false,
  trial: false,
  ...extra,
});

const parse = (body: unknown) =>
  parseWith(permissionManifestSchema, body, { label: 'permission manifest' }).tools;

describe('permission manifest schema', () => {
  it('keeps ids as strings, unknown fields, and nulls', () => {
    const [admin] = parse({
      tools: [tool('admin', 'Admin', { brand_new: { x: 1 }, create_url: null, can_create: null })],
      extra_top_level: true,
    });
    expect(admin).toMatchObject({
      id: '101',
      domain_id: '1',
      name: 'admin',
      user_access_level: { id: '3', name: 'Admin' },
      brand_new: { x: 1 },
      create_url: null,
      can_create: null,
    });
  });

  it('takes a tool with only some fields, as the SDK marks every field optional', () => {
    const [bare] = parse({ tools: [{ name: 'admin', user_access_level: { name: 'Admin' } }] });
    expect(companyAdminFrom([bare!]).isAdmin).toBe(true);
  });

  it('reads fields it does not decide on leniently: a wrong type becomes null', () => {
    const [t] = parse({
      tools: [
        tool('admin', 'Admin', {
          trial: 'false',
          can_create: 'yes',
          permitted_actions: 'none',
          domain_id: 'core',
          url: 42,
        }),
      ],
    });
    expect(t).toMatchObject({
      trial: null,
      can_create: null,
      permitted_actions: null,
      domain_id: null,
      url: null,
    });
    expect(t?.name).toBe('admin');
  });

  it('refuses a wrong type where the admin decision reads, naming the field', () => {
    const bad = {
      tools: [tool('directory', 'Standard'), tool('admin', 'Admin', { user_access_level: { name: 3 } })],
    };
    expect(() => parse(bad)).toThrow(ProcoreSchemaError);
    expect(() => parse(bad)).toThrow(/permission manifest\.tools\[1\]\.user_access_level\.name/);
    expect(() => parse({ tools: [{ name: 7 }] })).toThrow(/tools\[0\]\.name/);
  });

  it('refuses a body that is not a manifest', () => {
    expect(() => parse({})).toThrow(/permission manifest\.tools/);
    expect(() => parse({ tools: {} })).toThrow(ProcoreSchemaError);
    expect(() => parse(null)).toThrow(ProcoreSchemaError);
  });
});

describe('companyAdminFrom', () => {
  const tools = (...list: ReturnType<typeof tool>[]): ProcorePermissionTool[] => parse({ tools: list });

  it('is Admin only with Admin on the Admin tool', () => {
    const admin = companyAdminFrom(tools(tool('directory', 'Standard'), tool('admin', 'Admin')));
    expect(admin).toMatchObject({ isAdmin: true, level: 'admin', levelName: 'Admin' });
    expect(admin.tool?.name).toBe('admin');
    expect(admin.seen).toBe('admin ("Admin"): Admin');
    for (const level of ['Standard', 'Read Only', 'None']) {
      expect(companyAdminFrom(tools(tool('admin', level))).isAdmin, level).toBe(false);
    }
    // Admin on another tool is not company administration.
    expect(companyAdminFrom(tools(tool('directory', 'Admin'), tool('admin', 'Read Only'))).isAdmin).toBe(
      false,
    );
  });

  it('matches the tool name and level case-insensitively, in the spellings §2.5 allows', () => {
    expect(companyAdminFrom(tools(tool('ADMIN', 'admin'))).isAdmin).toBe(true);
    expect(companyAdminFrom(tools(tool('company_admin', 'ADMIN'))).isAdmin).toBe(true);
    expect(
      companyAdminFrom(tools(tool('core_admin_tool', 'Admin', { friendly_name: 'Company Admin' }))).isAdmin,
    ).toBe(true);
    expect(companyAdminFrom(tools(tool('x', 'Admin', { friendly_name: ' admin ' }))).isAdmin).toBe(true);
    expect(companyAdminFrom(tools(tool('admin', 'read-only'))).level).toBe('read_only');
    expect(companyAdminFrom(tools(tool('admin', 'Read Only'))).level).toBe('read_only');
    expect(companyAdminFrom(tools(tool('admin', 'No Access'))).level).toBe('none');
  });

  it('prefers a tool named admin over one only called Admin, and counts the highest grant', () => {
    const named = companyAdminFrom(
      tools(tool('admin', 'Standard'), tool('reports', 'Admin', { friendly_name: 'Admin' })),
    );
    expect(named).toMatchObject({ isAdmin: false, level: 'standard' });
    const twice = companyAdminFrom(tools(tool('admin', 'Read Only'), tool('admin', 'Admin')));
    expect(twice.isAdmin).toBe(true);
  });

  it('is not Admin when the tool, its level, or a known level is missing, and says what it saw', () => {
    const none = companyAdminFrom(tools(tool('directory', 'Admin'), tool('documents', 'Admin')));
    expect(none).toMatchObject({ isAdmin: false, tool: null, levelName: null, level: 'none' });
    expect(none.seen).toBe('no "admin" / "company admin" tool among 2 tools');
    expect(companyAdminFrom([])).toMatchObject({ isAdmin: false, tool: null });
    const noLevel = companyAdminFrom(tools(tool('admin', null)));
    expect(noLevel).toMatchObject({ isAdmin: false, levelName: null, level: 'none' });
    expect(noLevel.seen).toBe('admin ("Admin"): no access level');
    expect(companyAdminFrom(tools(tool('admin', 'Super Admin')))).toMatchObject({
      isAdmin: false,
      level: 'other',
    });
  });

  it('toolAccess answers the same question for any tool', () => {
    const list = tools(tool('admin', 'Admin'), tool('directory', 'Standard'));
    expect(toolAccess(list, 'Directory')).toMatchObject({ level: 'standard', levelName: 'Standard' });
    expect(toolAccess(list, ['timecard', 'timesheets']).tool).toBeNull();
  });
});

describe('permissionManifest() against the sandbox', () => {
  let sandbox: RunningSandbox;
  let handle: DatabaseHandle;
  let client: ProcoreClient;

  const userToken = async (search: string) => {
    const { items } = await control<{ items: Array<{ id: number }> }>(
      sandbox,
      'GET',
      `/_sandbox/companies/${ACME}/users?search=${search}`,
    );
    const token = await control<{ access_token: string }>(sandbox, 'POST', '/_sandbox/tokens', {
      user_id: items[0]!.id,
    });
    return token.access_token;
  };
  const asUser = async (search: string) => client.withAccessToken(await userToken(search)).forCompany(ACME);

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    handle = await freshDatabase('pglite');
    client = sandboxClient(sandbox, handle.db, { http: { maxAttempts: 1 } });
  });
  afterEach(async () => {
    await control(sandbox, 'PATCH', '/_sandbox/settings', { permissions: { manifest: 'answer' } });
  });
  afterAll(async () => {
    await sandbox?.close();
    await handle?.close();
  });

  it('asks for the company manifest with the company header, and finds the admins by level', async () => {
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const dana = companyAdminFrom(await (await asUser('dana')).permissionManifest());
    expect(dana).toMatchObject({ isAdmin: true, levelName: 'Admin' });
    const [sent] = await requests(sandbox, '/rest/v1.0/settings/permissions');
    expect(sent).toMatchObject({ method: 'GET', status: 200, company_id: Number(ACME) });
    expect(new URLSearchParams(sent!.query).get('company_id')).toBe(ACME);
    expect(new URLSearchParams(sent!.query).has('project_id')).toBe(false);

    // Template names mislead; the Admin tool's level does not.
    const officeManager = companyAdminFrom(await (await asUser('bernadette')).permissionManifest());
    expect(officeManager.isAdmin).toBe(true);
    const assistant = companyAdminFrom(await (await asUser('theo.marchetti')).permissionManifest());
    expect(assistant).toMatchObject({ isAdmin: false, level: 'standard', seen: 'admin ("Admin"): Standard' });
    expect(companyAdminFrom(await (await asUser('luis.ortega')).permissionManifest()).isAdmin).toBe(false);
  });

  it("reads the service account's own manifest, which is never an admin's", async () => {
    const tools = await client.forCompany(ACME).permissionManifest();
    expect(companyAdminFrom(tools)).toMatchObject({ isAdmin: false, level: 'none' });
    expect(toolAccess(tools, 'directory').level).toBe('read_only');
  });

  it("reads a project's manifest with project_id instead of company_id", async () => {
    const summary = await control<{ project_ids: number[] }>(sandbox, 'GET', `/_sandbox/companies/${ACME}`);
    const projectId = String(summary.project_ids[0]);
    await control(sandbox, 'DELETE', '/_sandbox/requests');
    const tools = await (await asUser('bernadette')).permissionManifest({ projectId });
    expect(toolAccess(tools, 'daily_log').level).toBe('admin');
    const [sent] = await requests(sandbox, '/rest/v1.0/settings/permissions');
    const query = new URLSearchParams(sent!.query);
    expect(query.get('project_id')).toBe(projectId);
    expect(query.has('company_id')).toBe(false);
    await expect((await asUser('dana')).permissionManifest({ projectId: '1' })).rejects.toBeInstanceOf(
      ProcoreNotFoundError,
    );
    await expect((await asUser('dana')).permissionManifest({ projectId: '../x' })).rejects.toThrow(
      /not a Procore id/,
    );
  });

  it('turns a refused manifest into the typed errors', async () => {
    await control(sandbox, 'PATCH', '/_sandbox/settings', { permissions: { manifest: 'forbidden' } });
    const dana = await asUser('dana');
    await expect(dana.permissionManifest()).rejects.toBeInstanceOf(ProcoreForbiddenError);
    await control(sandbox, 'PATCH', '/_sandbox/settings', { permissions: { manifest: 'not_found' } });
    await expect(dana.permissionManifest()).rejects.toBeInstanceOf(ProcoreNotFoundError);
    await control(sandbox, 'PATCH', '/_sandbox/settings', { permissions: { manifest: 'answer' } });

    const token = await userToken('dana');
    await expect(
      client.withAccessToken(token).forCompany('4280003').permissionManifest(),
    ).rejects.toBeInstanceOf(ProcoreNotConnectedError);
  });

  it('matches the Admin tool when Procore spells it "company_admin" / "Company Admin"', async () => {
    await control(sandbox, 'PATCH', '/_sandbox/settings', {
      permissions: { adminToolName: 'company_admin', adminToolFriendlyName: 'Company Admin' },
    });
    try {
      const access = companyAdminFrom(await (await asUser('dana')).permissionManifest());
      expect(access).toMatchObject({ isAdmin: true, seen: 'company_admin ("Company Admin"): Admin' });
    } finally {
      await control(sandbox, 'PATCH', '/_sandbox/settings', {
        permissions: { adminToolName: 'admin', adminToolFriendlyName: 'Admin' },
      });
    }
  });
});
