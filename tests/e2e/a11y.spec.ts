import type { FrameLocator, Page } from '@playwright/test';
import axe from 'axe-core';
import { appFrame, COMPANY_ID, goToTab, openApp, syncToTheEnd } from './app';
import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 300_000 });

/** The rules axe tags as WCAG 2.0, 2.1 and 2.2, levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const WIDTHS = [1280, 400] as const;

interface Found {
  rule: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

/**
 * Runs axe-core inside the app's frame (the page around it is the sandbox's stand-in for Procore,
 * not the app) and returns what breaks WCAG A/AA. axe is handed to the frame through the
 * DevTools protocol, which the app's CSP (script-src 'self') does not govern.
 */
async function axeViolations(page: Page): Promise<Found[]> {
  const frame = await (await page.locator('iframe#app').elementHandle())?.contentFrame();
  if (!frame) throw new Error('the app frame is not there');
  if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(axe.source);
  const results = await frame.evaluate(
    (tags) =>
      (window as unknown as { axe: typeof axe }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      }),
    WCAG_TAGS,
  );
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact ?? null,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
  }));
}

function listed(found: Found[]): string {
  return found
    .map(
      (v) =>
        `${v.rule} (${v.impact}): ${v.help}\n${v.nodes
          .map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`)
          .join('\n')}`,
    )
    .join('\n');
}

/**
 * Checks the screen as it is now at each width, with `ready` (the screen's own content) visible
 * before axe looks, and leaves the page at 1280 px.
 */
async function expectAccessible(page: Page, screen: string, ready: () => Promise<void>): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await ready();
    const found = await axeViolations(page);
    expect(found, `${screen} at ${width} px:\n${listed(found)}`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const nav = (app: FrameLocator) => app.getByRole('navigation', { name: 'Worker Sync pages' });

test('the Connect screen, before anyone has connected', async ({ page }) => {
  const app = await openApp(page);
  await expectAccessible(page, 'Connect', () =>
    expect(app.getByRole('button', { name: 'Connect to Procore' })).toBeVisible(),
  );
});

test('every admin screen: Users with runs, a run, a preview, Workers, a worker, Add worker, Timesheets, the time editor, a timesheet run, Connection', async ({
  page,
  adminApp: app,
}) => {
  await expectAccessible(page, 'Users before the first sync, Autosync off', async () => {
    await expect(app.getByRole('heading', { name: 'User Sync Logs' })).toBeVisible();
    await expect(app.getByTestId('autosync-schedule')).toHaveText(
      'Users sync only when someone presses Sync',
    );
    await screenshot(page, 'users-autosync-off');
  });
  await syncToTheEnd(app, 120_000);
  const logs = app.getByRole('table', { name: /User Sync Logs/ });
  await expectAccessible(page, 'Users with runs', () =>
    expect(logs.locator('tbody tr').first()).toBeVisible(),
  );

  await app.getByRole('button', { name: 'Preview' }).click();
  await expectAccessible(page, 'Users with a preview', () =>
    expect(app.getByRole('heading', { name: 'Preview of the next sync' })).toBeVisible(),
  );
  await expect(app.getByText(/^Of [\d,]+ Procore users, a sync would/)).toBeVisible({ timeout: 60_000 });
  await expectAccessible(page, 'Users with a preview', async () => {});

  await logs.locator('tbody tr').first().getByRole('link').first().click();
  await expectAccessible(page, 'a run', () => expect(app.getByRole('table').first()).toBeVisible());

  await goToTab(app, 'Workers');
  await expect(app.getByRole('heading', { name: 'Workers' })).toBeVisible();
  const firstWorker = app.locator('tbody tr').first();
  await expectAccessible(page, 'Workers', () => expect(firstWorker).toBeVisible());
  const name = firstWorker.getByRole('button').first();
  await name.click();
  await expect(name).toHaveAttribute('aria-expanded', 'true');
  await expectAccessible(page, "a worker's detail", () => expect(app.locator('tr.detail-row')).toBeVisible());
  await app.getByRole('button', { name: 'Add worker' }).click();
  const addWorker = app.getByRole('form', { name: 'Add a worker' });
  await expectAccessible(page, 'the Add worker form', () => expect(addWorker).toBeVisible());
  await addWorker.getByRole('button', { name: 'Cancel' }).click();

  await nav(app)
    .getByRole('link', { name: /^Timesheets/ })
    .click();
  await expect(app.getByRole('heading', { name: 'Timesheets' })).toBeVisible();
  await expectAccessible(page, 'Timesheets', () =>
    expect(app.getByRole('button', { name: 'Sync Timesheets' })).toBeEnabled({ timeout: 30_000 }),
  );
  // The sandbox crew's week, and a day's time opened in the editor.
  await app
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: 'ACM-2302 · Lakeview Apartments Phase 2' });
  const petrov = app.locator('tbody tr', { hasText: 'Ivan Petrov' });
  await expectAccessible(page, "Timesheets, a crew's week", () =>
    expect(petrov.locator('.ts-total')).toHaveText('40.00', { timeout: 30_000 }),
  );
  await petrov
    .getByRole('button', { name: /^Time in and out, break, cost code/ })
    .first()
    .click();
  const editor = app.getByRole('form', { name: /^Time for Ivan Petrov/ });
  await expectAccessible(page, "a day's time in the editor", () => expect(editor).toBeVisible());
  await editor.getByRole('button', { name: 'Cancel' }).click();
  await expect(editor).toBeHidden();
  await app.getByRole('button', { name: 'Sync Timesheets' }).click();
  const sends = app.getByRole('table', { name: /Timesheet Sync Logs/ }).locator('tbody tr');
  await expect(sends.first().getByText(/Succeeded|Partly sent|Failed/)).toBeVisible({ timeout: 60_000 });
  await expectAccessible(page, 'Timesheets with a send', async () => {});
  await sends.first().getByRole('link').first().click();
  await expectAccessible(page, 'a timesheet run', () =>
    expect(app.getByRole('table', { name: 'One entry per timesheet' })).toBeVisible(),
  );

  await goToTab(app, 'Connection');
  await expectAccessible(page, 'Connection', () =>
    expect(app.getByRole('button', { name: 'Disconnect' })).toBeVisible(),
  );
});

test('the review panel and the alerts banner, while a sync waits for an admin', async ({
  page,
  adminApp: app,
}) => {
  await syncToTheEnd(app, 120_000);
  const token = (await (
    await page.request.post('/_sandbox/tokens', { data: { service_account: true } })
  ).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}`, 'procore-company-id': COMPANY_ID };
  const hooksUrl = `/rest/v2.0/companies/${COMPANY_ID}/webhooks/hooks`;
  const hooks = (await (await page.request.get(hooksUrl, { headers })).json()) as { data: { id: string }[] };
  for (const hook of hooks.data) {
    await page.request.patch(`${hooksUrl}/${hook.id}`, { headers, data: { status: 'disabled' } });
  }
  const res = await page.request.get(`/_sandbox/companies/${COMPANY_ID}/users`, {
    params: { active: 'true' },
  });
  const { items } = (await res.json()) as { items: { id: number; email_address: string | null }[] };
  const leaving = items
    .filter(
      (u) => u.email_address?.endsWith('@acmebuilders.example') && !/^(dana|luis)\./.test(u.email_address),
    )
    .slice(0, 70);
  for (const u of leaving) {
    await page.request.post(`/_sandbox/companies/${COMPANY_ID}/users/${u.id}/deactivate`);
  }

  await app.getByRole('button', { name: 'Sync', exact: true }).click();
  const review = app.getByRole('heading', { name: /Review needed: this sync would deactivate \d+ workers/ });
  await expect(review).toBeVisible({ timeout: 120_000 });
  const banner = app.getByRole('region', { name: 'Problems that need attention' });
  await expectAccessible(page, 'Users with a review waiting and the alerts banner', async () => {
    await expect(review).toBeVisible();
    await expect(banner).toBeVisible({ timeout: 30_000 });
  });
  await goToTab(app, 'Connection');
  await expectAccessible(page, 'Connection with problems', () => expect(banner).toBeVisible());
  await screenshot(page, 'connection-with-problems');
  await page.setViewportSize({ width: 400, height: 900 });
  await screenshot(page, 'connection-with-problems');
});

test('what someone who is not a company admin sees', async ({ page, nonAdminApp: app }) => {
  await expectAccessible(page, 'Users, not an admin', () =>
    expect(app.getByRole('switch', { name: /Autosync/ })).toBeDisabled(),
  );
  await app.getByRole('button', { name: 'Preview' }).click();
  await expectAccessible(page, 'a preview, not an admin', () =>
    expect(app.getByText(/^Of [\d,]+ Procore users, a sync would/)).toBeVisible({ timeout: 60_000 }),
  );
  await screenshot(page, 'non-admin-preview');
  await page.setViewportSize({ width: 400, height: 900 });
  await screenshot(page, 'non-admin-preview');
  await page.setViewportSize({ width: 1280, height: 900 });
  await goToTab(app, 'Connection');
  await expectAccessible(page, 'Connection, not an admin', () =>
    expect(app.getByRole('button', { name: 'Disconnect' })).toBeDisabled(),
  );
  await screenshot(page, 'connection-non-admin');
  await page.setViewportSize({ width: 400, height: 900 });
  await screenshot(page, 'connection-non-admin');
});

/**
 * Presses Tab from the first control of the app until focus has gone round, and returns the
 * visible, enabled controls it never reached (as HTML, for the failure message).
 */
async function unreachedByTab(page: Page): Promise<string[]> {
  const frame = await (await page.locator('iframe#app').elementHandle())?.contentFrame();
  if (!frame) throw new Error('the app frame is not there');
  const count = await frame.evaluate(() => {
    const controls = [
      ...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary'),
    ].filter((el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0);
    controls.forEach((el, i) => {
      el.dataset.tabCheck = String(i);
    });
    const reached = new Set<string>();
    (window as unknown as { reached: Set<string> }).reached = reached;
    document.addEventListener('focusin', (e) => {
      const i = (e.target as HTMLElement).dataset?.tabCheck;
      if (i) reached.add(i);
    });
    controls[0]?.focus();
    return controls.length;
  });
  for (let i = 0; i < count + 5; i++) await page.keyboard.press('Tab');
  return frame.evaluate(() => {
    const { reached } = window as unknown as { reached: Set<string> };
    return [...document.querySelectorAll<HTMLElement>('[data-tab-check]')]
      .filter((el) => !reached.has(el.dataset.tabCheck!) && el.dataset.tabCheck !== '0')
      .map((el) => el.outerHTML.slice(0, 200));
  });
}

test('Space on a toggle changes the setting, saves it and leaves focus on the toggle', async ({
  page,
  adminApp,
}) => {
  let app = adminApp;
  const toggles = [
    { page: 'Users', role: 'switch', name: /^Autosync/ },
    { page: 'Users', role: 'checkbox', name: /^Sync Classifications/ },
    { page: 'Timesheets', role: 'switch', name: /^Auto Sync Time Cards/ },
    { page: 'Timesheets', role: 'checkbox', name: /^Only Approved/ },
    { page: 'Timesheets', role: 'checkbox', name: /^Include Sub Workers/ },
  ] as const;
  const open = async (screen: 'Users' | 'Timesheets') =>
    nav(app)
      .getByRole('link', { name: new RegExp(`^${screen}`) })
      .click();

  for (const t of toggles) {
    await open(t.page);
    const toggle = app.getByRole(t.role, { name: t.name });
    await expect(toggle).toBeEnabled();
    const was = await toggle.isChecked();
    await toggle.focus();
    await page.keyboard.press('Space');
    await expect(toggle).toBeChecked({ checked: !was });
    await expect(toggle).toHaveAccessibleDescription(/Saved/);
    await expect(toggle).toBeFocused();
    await screenshot(page, `toggle-focused-${t.page.toLowerCase()}`);
    // Space again, at once: it turns back, and focus still stays.
    await page.keyboard.press('Space');
    await expect(toggle).toHaveAccessibleDescription(/Saved/);
    await expect(toggle).toBeChecked({ checked: was });
    await expect(toggle).toBeFocused();
    await page.keyboard.press('Space');
    await expect(toggle).toHaveAccessibleDescription(/Saved/);
    await expect(toggle).toBeChecked({ checked: !was });
    await expect(toggle).toBeFocused();

    await page.reload();
    app = appFrame(page);
    await open(t.page);
    await expect(app.getByRole(t.role, { name: t.name })).toBeChecked({ checked: !was });
  }
});

test('every control on every page is reached by Tab', async ({ page, adminApp: app }) => {
  const expectAllReached = async (screen: string) => {
    await expect(app.getByRole('heading', { level: 2 }).first()).toBeVisible();
    await expect(app.getByText(/^Loading/)).toHaveCount(0, { timeout: 30_000 });
    const missed = await unreachedByTab(page);
    expect(missed, `${screen}: not reached by Tab:\n${missed.join('\n')}`).toEqual([]);
  };
  for (const screen of ['Users', 'Workers', 'Timesheets', 'Connection'] as const) {
    await nav(app)
      .getByRole('link', { name: new RegExp(`^${screen}`) })
      .click();
    await expectAllReached(screen);
  }
  await nav(app)
    .getByRole('link', { name: /^Users/ })
    .click();
  await app
    .getByRole('table', { name: /User Sync Logs/ })
    .locator('tbody tr')
    .first()
    .getByRole('link')
    .first()
    .click();
  await expect(app.getByRole('table').first()).toBeVisible();
  await expectAllReached('a run');
});

test('after Disconnect, the Connection page says what has stopped and what to do', async ({
  page,
  adminApp: app,
}) => {
  await goToTab(app, 'Connection');
  await app.getByRole('button', { name: 'Disconnect' }).click();
  await app.getByRole('button', { name: 'Yes, disconnect' }).click();
  const banner = app.getByRole('alert').filter({ hasText: 'Worker Sync is disconnected from Procore.' });
  await expect(banner).toBeVisible();
  // The page learns on its next request that the sign-in ended with the connection and then asks to
  // connect again; held back here, so what the page says in the meantime can be read.
  await page.route(
    (url) => url.pathname.startsWith('/api/'),
    () => undefined,
  );
  const access = app.getByRole('definition').filter({ hasText: /while disconnected: no Sync, Autosync/ });
  await expect(access).toContainText('Press Connect again above to resume');
  await expect(app.getByText(/keep working/)).toHaveCount(0);
  await expectAccessible(page, 'Connection, disconnected', () => expect(banner).toBeVisible());
  await screenshot(page, 'connection-disconnected');
  await page.setViewportSize({ width: 400, height: 900 });
  await screenshot(page, 'connection-disconnected');
  await page.unrouteAll({ behavior: 'ignoreErrors' });
});
