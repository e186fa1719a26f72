import { goToTab, openApp } from './app';
import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test('before connecting, the frame asks to connect to Procore', async ({ page }) => {
  const app = await openApp(page);
  await expect(app.getByRole('button', { name: 'Connect to Procore' })).toBeVisible();
  await screenshot(page, 'not-connected');
  await page.setViewportSize({ width: 400, height: 800 });
  await screenshot(page, 'not-connected');
});

test('a non-admin sees the logs but cannot press Sync or change settings, and is told why', async ({
  nonAdminApp: app, // an admin connected the company first: a member cannot
}) => {
  const sync = app.getByRole('button', { name: 'Sync', exact: true });
  await expect(sync).toBeDisabled();
  await expect(sync).toHaveAccessibleDescription(/Only a Procore company admin/);
  await expect(app.getByRole('switch', { name: /Autosync/ })).toBeDisabled();
  await expect(app.getByRole('checkbox', { name: 'Sync Classifications' })).toBeDisabled();
  await expect(
    app.getByText('Only a Procore company admin can start a sync or change these settings.'),
  ).toBeVisible();
  await expect(app.getByText('Luis Ortega · Not a company admin')).toBeVisible();

  // Preview changes nothing: a member may see what the next sync would do.
  const preview = app.getByRole('button', { name: 'Preview' });
  await expect(preview).toBeEnabled();
  await expect(preview).not.toHaveAccessibleDescription(/Only a Procore company admin/);
  await preview.click();
  await expect(app.getByText(/^Of [\d,]+ Procore users, a sync would create [1-9]/)).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    app.getByRole('table', { name: 'What the next sync would change' }).locator('tbody tr').first(),
  ).toBeVisible();
  await expect(sync).toBeDisabled();
  await expect(app.getByRole('table', { name: /User Sync Logs/ })).toHaveCount(0);
  await expect(app.getByText('No syncs yet.')).toBeVisible();

  await goToTab(app, 'Connection');
  await expect(app.getByRole('button', { name: 'Disconnect' })).toBeDisabled();
  await expect(app.getByText('Only a Procore company admin can disconnect Worker Sync.')).toBeVisible();
  await expect(app.getByText(/Luis Ortega \(not a Procore company admin: you can view/)).toBeVisible();
});
