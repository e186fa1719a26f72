import { COMPANY_ID, goToTab, sandboxUserId, syncToTheEnd } from './app';
import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 120_000 });

test('a change made in Procore shows on the open Workers page without a reload', async ({
  page,
  adminApp: app,
}) => {
  await syncToTheEnd(app, 90_000);

  await goToTab(app, 'Workers');
  await expect(app.getByRole('heading', { name: 'Workers' })).toBeVisible();
  const list = app.getByRole('table', { name: 'Workers' });
  await expect(list.locator('tbody tr').first()).toBeVisible();
  await expect(list).toContainText('From Procore');
  await screenshot(page, 'workers');

  await app.getByRole('searchbox', { name: 'Search' }).fill('Yamamoto');
  const row = list.locator('tbody tr').filter({ hasText: 'Yamamoto' });
  await expect(row).toHaveCount(1);

  // Edit the user in Procore (the sandbox's control API acts as a person in the Directory).
  const userId = await sandboxUserId(page, 'Yamamoto');
  const payrollId = `E2E-${Date.now() % 100000}`;
  const res = await page.request.patch(`/_sandbox/companies/${COMPANY_ID}/users/${userId}`, {
    data: { employee_id: payrollId },
  });
  expect(res.ok()).toBeTruthy();

  await expect(row).toContainText(payrollId, { timeout: 30_000 });
  await page.setViewportSize({ width: 400, height: 800 });
  await app.getByRole('searchbox', { name: 'Search' }).fill('');
  await screenshot(page, 'workers');
});

test('the Connection page shows the company, its access and Disconnect', async ({ page, adminApp: app }) => {
  await goToTab(app, 'Connection');
  await expect(app.getByRole('heading', { name: 'Acme Builders' })).toBeVisible();
  await expect(app.getByText('Connected', { exact: true })).toBeVisible();
  await expect(app.getByRole('button', { name: 'Disconnect' })).toBeEnabled();
  await screenshot(page, 'connection');
  await page.setViewportSize({ width: 400, height: 800 });
  await screenshot(page, 'connection');
});
