import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import { ACME, startTestSandbox } from '../../helpers/sandbox';
import { capturedLog, signIn } from '../auth/sign-in';

/**
 * Who may connect, as Procore says it: Admin on the company Admin tool in the person's permission
 * manifest, whatever their template is called; the template's name only when Procore refuses the
 * manifest; and a refusal that says who is signed in, what they may do, and what to do next.
 */
const LAKESHORE = '4280003';
const DANA = 'dana.whitfield@acmebuilders.example';
const BERNADETTE = 'bernadette.quinlan@acmebuilders.example';
const THEO = 'theo.marchetti@acmebuilders.example';
const LUIS = 'luis.ortega@acmebuilders.example';

describeEachDatabase('who may connect Worker Sync', ({ db }) => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let app: FastifyInstance & {
    services: { companies: { markDisconnected(id: string, r: string): Promise<boolean> } };
  };
  const captured = capturedLog();
  const decisions = () =>
    captured.lines.filter(
      (l) =>
        typeof l.msg === 'string' &&
        /^(Procore refused the permission manifest|company admin decided)/.test(l.msg),
    );

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    app = await buildTestApp(db(), {
      log: captured.log,
      config: testConfig({
        PROCORE_LOGIN_URL: sandbox.url,
        PROCORE_API_URL: sandbox.url,
        PUBLIC_URL: 'http://localhost:3999',
      }),
    });
  });
  beforeEach(async () => {
    // Every case starts from a company nobody has connected yet, and a Procore as seeded.
    await app.services.companies.markDisconnected(ACME, 'test reset');
    await sandbox.control('/_sandbox/reset', { body: {} });
    captured.lines.length = 0;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('connects an admin whose template is not called Admin (Office Manager), by the manifest', async () => {
    const result = await signIn(app, sandbox, { companyId: ACME, email: BERNADETTE });
    expect(result.error).toBeNull();
    expect(result.isAdmin).toBe(true);
    const me = await app.inject({
      url: `/api/companies/${ACME}/me`,
      headers: { authorization: `Bearer ${result.token}` },
    });
    expect(me.json()).toMatchObject({
      user: { name: 'Bernadette Quinlan', isAdmin: true },
      connection: { state: 'connected', connectedBy: 'Bernadette Quinlan' },
    });
    expect(decisions()).toEqual([
      expect.objectContaining({
        rule: 'manifest',
        isAdmin: true,
        companyId: ACME,
        seen: expect.stringMatching(/Admin$/),
      }),
    ]);
  });

  it("refuses an 'Admin'-named template that is Standard on the Admin tool, naming the person and their access", async () => {
    const result = await signIn(app, sandbox, { companyId: ACME, email: THEO });
    expect(result.error).toBe('admin_required');
    expect(result.reason).toBe(
      "You're signed in as Theo Marchetti, who has Standard access to the Company Admin tool in Procore. Ask a company admin to connect Worker Sync.",
    );
    expect(decisions()).toEqual([expect.objectContaining({ rule: 'manifest', isAdmin: false })]);
    expect(await app.services.companies.markDisconnected(ACME, 'still not connected')).toBe(false);
  });

  it('tells a Read Only person the same way', async () => {
    const result = await signIn(app, sandbox, { companyId: ACME, email: LUIS });
    expect(result.reason).toBe(
      "You're signed in as Luis Ortega, who has Read Only access to the Company Admin tool in Procore. Ask a company admin to connect Worker Sync.",
    );
  });

  it('says the app has to be installed from the Marketplace where it is not (403 "App is not connected")', async () => {
    const result = await signIn(app, sandbox, { companyId: LAKESHORE, email: DANA });
    expect(result.error).toBe('not_installed');
    expect(result.reason).toBe(
      'Worker Sync is not installed in Lakeshore Concrete. A company admin has to install it from the Procore App Marketplace first; then connect it here.',
    );
    expect(result.reason).not.toMatch(/could not be reached/);
  });

  it('falls back to the template name when Procore refuses the manifest, and logs that it did', async () => {
    await sandbox.control('/_sandbox/settings', {
      method: 'PATCH',
      body: { permissions: { manifest: 'forbidden' } },
    });
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    expect(dana.isAdmin).toBe(true);
    const fallback = decisions();
    expect(fallback).toEqual([
      expect.objectContaining({
        level: 40,
        rule: 'template',
        isAdmin: true,
        seen: 'template "Company Admin"',
        manifestError: expect.any(String),
      }),
    ]);
    expect(fallback[0]?.msg).toMatch(/refused the permission manifest/);

    // By the name alone, "Office Manager" is no admin: the fallback says which rule spoke.
    await app.services.companies.markDisconnected(ACME, 'again');
    const bernadette = await signIn(app, sandbox, { companyId: ACME, email: BERNADETTE });
    expect(bernadette.error).toBe('admin_required');
    expect(bernadette.reason).toMatch(
      /^You're signed in as Bernadette Quinlan, who has the company permission template "Office Manager" in Procore \(Procore did not let Worker Sync read your tool permissions/,
    );
  });

  it('works against a Procore whose user records carry no company_permission_template', async () => {
    await sandbox.control('/_sandbox/settings', {
      method: 'PATCH',
      body: { permissions: { omitCompanyPermissionTemplate: true } },
    });
    const theo = await signIn(app, sandbox, { companyId: ACME, email: THEO });
    expect(theo.error).toBe('admin_required');
    expect(theo.reason).toMatch(/Theo Marchetti, who has Standard access to the Company Admin tool/);
    const bernadette = await signIn(app, sandbox, { companyId: ACME, email: BERNADETTE });
    expect(bernadette.isAdmin).toBe(true);
    // Once connected, a non-admin signs in to read.
    const luis = await signIn(app, sandbox, { companyId: ACME, email: LUIS });
    expect(luis.isAdmin).toBe(false);

    // Neither the manifest nor a template: nobody can be shown to be an admin, and it says so.
    await sandbox.control('/_sandbox/settings', {
      method: 'PATCH',
      body: { permissions: { manifest: 'forbidden' } },
    });
    await app.services.companies.markDisconnected(ACME, 'again');
    const dana = await signIn(app, sandbox, { companyId: ACME, email: DANA });
    expect(dana.reason).toMatch(
      /^You're signed in as Dana Whitfield, who has no company permission template in Procore/,
    );
  });
});
