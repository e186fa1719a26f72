import { expect, test } from '@playwright/test';
import { ADMIN, connectAs, goToTab, NON_ADMIN, openApp, resetSandbox } from './app';
import { screenshot } from './screenshots';

test('before connecting, the frame asks to connect to Procore', async ({ page }) => {
  await resetSandbox(page);
  const app = await openApp(page);
  await expect(app.getByRole('button', { name: 'Connect to Procore' })).toBeVisible();
  await screenshot(page, 'not-connected');
  await page.setViewportSize({ width: 400, height: 800 });
  await screenshot(page, 'not-connected');
});

test('a non-admin sees the logs but cannot press Sync or change settings, and is told why', async ({
  page,
  browser,
}) => {
  await resetSandbox(page);
  // An admin connects the company first (a member cannot), in a tab of their own.
  const adminContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  await connectAs(await adminContext.newPage(), ADMIN);
  await adminContext.close();

  const app = await connectAs(page, NON_ADMIN);
  const sync = app.getByRole('button', { name: 'Sync', exact: true });
  await expect(sync).toBeDisabled();
  await expect(sync).toHaveAccessibleDescription(/Only a Procore company admin/);
  await expect(app.getByRole('switch', { name: /Autosync/ })).toBeDisabled();
  await expect(app.getByRole('checkbox', { name: 'Sync Classifications' })).toBeDisabled();
  await expect(
    app.getByText('Only a Procore company admin can start a sync or change these settings.'),
  ).toBeVisible();

  await goToTab(app, 'Connection');
  await expect(app.getByRole('button', { name: 'Disconnect' })).toBeDisabled();
  await expect(app.getByText('Only a Procore company admin can disconnect Worker Sync.')).toBeVisible();
});
