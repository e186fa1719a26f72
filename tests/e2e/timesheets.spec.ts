import { readFileSync } from 'node:fs';
import type { FrameLocator } from '@playwright/test';
import { COMPANY_ID, openApp } from './app';
import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 180_000 });

/** Sets a timesheet switch and waits until the app has saved it. */
async function setSwitch(app: FrameLocator, name: RegExp, on: boolean): Promise<void> {
  const box = app.getByRole('checkbox', { name });
  if ((await box.isChecked()) !== on) {
    await box.click();
    await expect(box).toHaveAccessibleDescription(/Saved/, { timeout: 30_000 });
  }
  await expect(box).toBeChecked({ checked: on });
}

/** Presses Sync Timesheets and waits for the new run to end in the log. */
async function syncWeek(app: FrameLocator): Promise<void> {
  const logs = app.getByRole('table', { name: /Timesheet Sync Logs/ });
  const before = await logs
    .locator('tbody tr')
    .count()
    .catch(() => 0);
  await app.getByRole('button', { name: 'Sync Timesheets' }).click();
  await expect(logs.locator('tbody tr')).toHaveCount(before + 1, { timeout: 60_000 });
  await expect(
    logs
      .locator('tbody tr')
      .first()
      .getByText(/Succeeded|Partly sent|Failed/),
  ).toBeVisible({
    timeout: 60_000,
  });
  await expect(app.getByRole('button', { name: 'Sync Timesheets' })).toBeEnabled({ timeout: 60_000 });
}

test('an admin adds a local worker, records two days, syncs the week and sees it in Procore', async ({
  page,
  adminApp: app,
}) => {
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
  // A position can be picked as the worker is added.
  await expect(form.getByRole('combobox', { name: 'Position' })).toHaveValue('');
  await expect(form.getByRole('option', { name: 'No position' })).toHaveCount(1);
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
  // The sandbox's crew has the same week on this project: their entries went too.
  expect(text).toMatch(/Created in Procore \(\d+\)/);
  await top.getByRole('link').first().click();
  await expect(
    app
      .getByRole('table', { name: 'One entry per timesheet' })
      .locator('tbody tr', { hasText: `Marta ${last}` }),
  ).toHaveCount(2);
  await screenshot(page, 'timesheet-run');

  // Procore's own Timecard tool lists both entries for the new contact.
  await page.goto(`/timecard?company_id=${COMPANY_ID}`);
  const entries = page.getByRole('table', { name: 'Timecard entries' });
  await expect(entries.locator('tr', { hasText: `Marta ${last}` })).toHaveCount(2);
  await expect(entries).toContainText('Created by Worker Sync');
});

test("the sandbox's crew and week: the cell editor, Only Approved and Include Sub Workers, and the Workers page", async ({
  page,
  adminApp: app,
}) => {
  const nav = app.getByRole('navigation', { name: 'Worker Sync pages' });
  await nav.getByRole('link', { name: /^Timesheets/ }).click();
  await expect(app.getByRole('heading', { name: 'Timesheets' })).toBeVisible();

  // The second project holds Ivan Petrov's week: ten hours Monday to Thursday, two days approved.
  await app
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: 'ACM-2302 · Lakeview Apartments Phase 2' });
  const petrov = app.locator('tbody tr', { hasText: 'Ivan Petrov' });
  await expect(petrov.locator('.ts-total')).toHaveText('40.00', { timeout: 30_000 });
  const okafor = app.locator('tbody tr', { hasText: 'Aisha Okafor' });
  await expect(okafor.getByText('06:30–15:00 · 30m break').first()).toBeVisible();

  // Friday as a clocked shift with a break and a cost code from Procore.
  await petrov
    .getByRole('button', { name: /^Time in and out, break, cost code/ })
    .nth(4)
    .click();
  const editor = app.getByRole('form', { name: /^Time for Ivan Petrov/ });
  await editor.getByRole('radio', { name: 'Time in and out' }).check();
  await editor.getByLabel('Time in', { exact: true }).fill('07:00');
  await editor.getByLabel('Time out', { exact: true }).fill('15:30');
  await editor.getByLabel('Break (minutes)').fill('30');
  await editor.getByLabel('Cost code (optional)').selectOption({ label: '03-100 · Concrete Forming' });
  await screenshot(page, 'timesheets-editor');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toBeHidden();
  await expect(petrov.getByRole('textbox').nth(4)).toHaveValue('8');
  await expect(petrov.getByText('07:00–15:30 · 30m break')).toBeVisible();
  await expect(petrov.getByText('03-100')).toBeVisible();
  await expect(petrov.locator('.ts-total')).toHaveText('48.00');

  // Sub workers off: every local worker stays in the app, saying why.
  await setSwitch(app, /Only Approved/, true);
  await setSwitch(app, /Include Sub Workers/, false);
  await syncWeek(app);
  const state = (row: typeof petrov, i: number) => row.locator('.ts-state').nth(i);
  await expect(state(petrov, 0)).toHaveAttribute('title', /Include Sub Workers is off/, { timeout: 30_000 });
  await expect(state(petrov, 0)).toHaveText(/^Not sent/);

  // Sub workers on, Only Approved on: the approved days go, the pending ones wait.
  await setSwitch(app, /Include Sub Workers/, true);
  await syncWeek(app);
  await expect(state(petrov, 0)).toHaveText(/^Sent · Approved/, { timeout: 30_000 });
  await expect(state(petrov, 1)).toHaveText(/^Sent · Approved/);
  await expect(state(petrov, 2)).toHaveAttribute('title', /Only Approved is on/);
  await expect(state(okafor, 0)).toHaveAttribute('title', /Only Approved is on/);
  await screenshot(page, 'timesheets-only-approved');
  await page.setViewportSize({ width: 400, height: 900 });
  await screenshot(page, 'timesheets-only-approved');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The run's log names the reasons.
  await app
    .getByRole('table', { name: /Timesheet Sync Logs/ })
    .locator('tbody tr')
    .first()
    .getByRole('link')
    .first()
    .click();
  const entries = app.getByRole('table', { name: 'One entry per timesheet' });
  await expect(entries).toContainText('Only Approved is on', { timeout: 30_000 });
  await expect(entries).toContainText('Ivan Petrov');

  // Procore has Petrov's two approved days, with the sandbox's own cost codes left alone.
  await page.goto(`/timecard?company_id=${COMPANY_ID}`);
  await expect(
    page.getByRole('table', { name: 'Timecard entries' }).locator('tr', { hasText: 'Ivan Petrov' }),
  ).toHaveCount(2);

  // Workers: edit a local worker, deactivate and reactivate her; positions and their rule.
  const app2 = await openApp(page);
  await expect(app2.getByRole('navigation', { name: 'Worker Sync pages' })).toBeVisible({ timeout: 30_000 });
  await app2
    .getByRole('navigation', { name: 'Worker Sync pages' })
    .getByRole('link', { name: /^Timesheets/ })
    .click();
  await setSwitch(app2, /Only Approved/, false);
  await app2
    .getByRole('navigation', { name: 'Worker Sync pages' })
    .getByRole('link', { name: /^Workers/ })
    .click();
  // The roster is paged: find her as an admin would.
  await app2.getByRole('searchbox', { name: 'Search' }).fill('Okafor');
  const row = app2.locator('tbody tr', { hasText: 'Aisha Okafor' }).first();
  await row.getByRole('button', { name: 'Aisha Okafor' }).click();
  await app2.getByRole('button', { name: 'Edit worker' }).click();
  const form = app2.getByRole('form', { name: 'Edit Aisha Okafor' });
  await form.getByLabel('Payroll ID').fill('SBX-104-B');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form).toBeHidden();
  await expect(row).toContainText('SBX-104-B', { timeout: 30_000 });
  await app2.getByRole('button', { name: 'Deactivate' }).click();
  await expect(row.getByText('Inactive')).toBeVisible({ timeout: 30_000 });
  await expect(row).toContainText('Deactivated in the app');
  await app2.getByRole('button', { name: 'Reactivate' }).click();
  await expect(row.getByText('Active', { exact: true })).toBeVisible({ timeout: 30_000 });
  await app2.getByRole('button', { name: 'Positions' }).click();
  await expect(app2.getByRole('region', { name: 'Positions' })).toContainText(
    /user sync is (on|off)|Kept in the app/i,
  );
  await screenshot(page, 'workers-edit');
  await page.setViewportSize({ width: 400, height: 900 });
  await screenshot(page, 'workers-edit');
  await page.setViewportSize({ width: 1280, height: 900 });
});
