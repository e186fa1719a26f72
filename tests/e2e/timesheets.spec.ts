import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ADMIN, COMPANY_ID, connectAs, resetSandbox } from './app';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 120_000 });

test('an admin adds a local worker, records two days, syncs the week and sees it in Procore', async ({
  page,
}) => {
  await resetSandbox(page);
  const app = await connectAs(page, ADMIN);
  const nav = app.getByRole('navigation', { name: 'Worker Sync pages' });

  // A worker who is no Procore user.
  await nav.getByRole('link', { name: /^Workers/ }).click();
  const last = `Kowalski${Date.now() % 100000}`;
  await app.getByRole('button', { name: 'Add worker' }).click();
  const form = app.getByRole('form', { name: 'Add a worker' });
  await form.getByLabel('First name').fill('Marta');
  await form.getByLabel('Last name').fill(last);
  await form.getByLabel('Phone').fill(`312 555 ${String(1000 + (Date.now() % 8999)).padStart(4, '0')}`);
  await form.getByLabel('Payroll ID').fill('MK-42');
  await form.getByRole('button', { name: 'Save worker' }).click();
  await expect(form).toBeHidden();

  // Two days of time on the first project's current week.
  await nav.getByRole('link', { name: /^Timesheets/ }).click();
  await expect(app.getByRole('heading', { name: 'Timesheets' })).toBeVisible();
  const subWorkers = app.getByRole('checkbox', { name: /Include Sub Workers/ });
  if (!(await subWorkers.isChecked())) await subWorkers.check();
  await app
    .getByRole('combobox', { name: 'Add a worker to this week' })
    .selectOption({ label: `${last}, Marta` });
  const row = app.locator('tr', { hasText: `Marta ${last}` });
  const cells = row.getByRole('textbox');
  await cells.nth(0).fill('8');
  await cells.nth(0).press('Enter');
  await expect(row.locator('.ts-state').first()).toHaveText(/Not sent/);
  await cells.nth(1).fill('7.5');
  await cells.nth(1).press('Enter');
  await expect(row.locator('.ts-state')).toHaveCount(2);
  await expect(row.locator('.ts-total')).toHaveText('15.50');

  await app.getByRole('button', { name: 'Sync Timesheets' }).click();
  await expect(row.locator('.ts-state').nth(0)).toHaveText(/^Sent/, { timeout: 30_000 });
  await expect(row.locator('.ts-state').nth(1)).toHaveText(/^Sent/);
  await screenshot(page, 'timesheets');
  await page.setViewportSize({ width: 400, height: 900 });
  await screenshot(page, 'timesheets');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The log: its .txt names the worker, and the run opens to its entries.
  const logs = app.getByRole('table', { name: /Timesheet Sync Logs/ });
  const top = logs.locator('tbody tr').first();
  await expect(top.getByText('Succeeded')).toBeVisible({ timeout: 30_000 });
  const downloadPromise = page.waitForEvent('download');
  await top.getByRole('button', { name: /Download the log/ }).click();
  const text = readFileSync((await (await downloadPromise).path())!, 'utf8');
  expect(text).toContain(`Marta ${last}`);
  expect(text).toContain('Created in Procore (2)');
  await top.getByRole('link').first().click();
  await expect(app.getByRole('table', { name: 'One entry per timesheet' }).locator('tbody tr')).toHaveCount(
    2,
  );
  await screenshot(page, 'timesheet-run');

  // Procore's own Timecard tool lists both entries for the new contact.
  await page.goto(`/timecard?company_id=${COMPANY_ID}`);
  const entries = page.getByRole('table', { name: 'Timecard entries' });
  await expect(entries.locator('tr', { hasText: `Marta ${last}` })).toHaveCount(2);
  await expect(entries).toContainText('Created by Worker Sync');
});
