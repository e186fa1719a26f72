import { readFileSync } from 'node:fs';
import { ADMIN } from './app';
import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 120_000 });

test('an admin presses Sync, watches the progress reach the end, and the run tops the logs', async ({
  page,
  adminApp: app,
}) => {
  const logs = app.getByRole('table', { name: /User Sync Logs/ });
  // The logs have loaded before they are counted.
  await expect(logs.or(app.getByText(/No syncs yet/))).toBeVisible();
  const rowsBefore = await logs.locator('tbody tr').count();

  const sync = app.getByRole('button', { name: 'Sync', exact: true });
  await expect(sync).toBeEnabled();
  await sync.click();

  // While it runs the button says so and cannot start another one.
  const busy = app.getByRole('button', { name: /^(Starting…|Sync queued…|Syncing…)/ });
  await expect(busy).toBeDisabled();
  // The page knows it has just started a run: progress shows at once, not at the next poll.
  await expect(app.getByRole('progressbar', { name: 'Users processed' }).first()).toBeVisible({
    timeout: 1_000,
  });

  const done = app.getByText(/^Sync finished/);
  await expect(done).toBeVisible({ timeout: 90_000 });
  const bar = app.getByRole('progressbar', { name: 'Users processed' }).first();
  const max = await bar.getAttribute('aria-valuemax');
  expect(max).not.toBeNull();
  await expect(bar).toHaveAttribute('aria-valuenow', max!);
  await expect(sync).toBeEnabled();

  const top = logs.locator('tbody tr').first();
  await expect(logs.locator('tbody tr')).toHaveCount(rowsBefore + 1);
  await expect(top).toContainText('Manual');
  await expect(top).toContainText(ADMIN);
  await expect(top.getByText(/Succeeded|Partly synced/)).toBeVisible();
  // Runs are numbered among this company's runs: the new one is the next number, and the
  // outcome names it too.
  const number = (await top.getByRole('link').first().textContent())?.trim();
  expect(number).toMatch(/^#\d+$/);
  if (rowsBefore < 25) expect(number).toBe(`#${rowsBefore + 1}`);
  await expect(app.getByText(`Run ${number} processed`)).toBeVisible();
  await screenshot(page, 'users');

  // Download: the .txt names a skipped user and why (Priya Natarajan has no email in the seed).
  const downloadPromise = page.waitForEvent('download');
  await top.getByRole('button', { name: /Download the log/ }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/\.txt$/);
  const bytes = readFileSync((await download.path())!);
  const text = bytes.toString('utf8');
  expect(text).toContain('Priya Natarajan');
  // Opened in a Windows-1252 tool (older Notepad, Excel) it reads the same: no "â€" mojibake.
  const asWindows = new TextDecoder('windows-1252').decode(bytes);
  expect(asWindows).toContain('Priya Natarajan');
  expect(asWindows).not.toContain('â€');
  expect(text).toMatch(/Missing email/i);
  expect(text).toContain(`Run:         ${number}`);
  // The app's own service account is no person: neither skipped nor listed.
  expect(text).not.toMatch(/service account/i);
  const seen = /Users seen:\s+(\d+) of (\d+)/.exec(text);
  expect(seen?.[1]).toBe(seen?.[2]);

  // Search a person across every run: the runs that touched her, with her result in each.
  await app.getByRole('searchbox', { name: 'Person' }).fill('priya');
  const found = app.getByRole('table', { name: /Syncs that touched/ });
  await expect(found.locator('tbody tr').first()).toContainText('Priya Natarajan');
  await expect(found.locator('tbody tr').first()).toContainText('Skipped');
  await expect(found.locator('tbody tr').first()).toContainText('Missing email');
  await screenshot(page, 'users-search');
  // Narrowed to automatic runs, none touched her yet; clearing brings every run back.
  await app.getByRole('combobox', { name: 'Trigger' }).selectOption('auto');
  await expect(app.getByText(/No sync touched “priya”/)).toBeVisible();
  await app.getByRole('button', { name: 'Clear' }).click();
  await expect(logs.locator('tbody tr')).toHaveCount(rowsBefore + 1);

  // The run's detail: entries filtered by result and searched by name.
  await top.getByRole('link').first().click();
  await expect(app.getByRole('heading', { name: new RegExp(`Run ${number} · Manual sync`) })).toBeVisible();
  await app.getByRole('combobox', { name: 'Result' }).selectOption('skipped');
  await app.getByRole('searchbox', { name: 'Search' }).fill('Priya');
  const entries = app.getByRole('table', { name: 'Users in this sync' });
  await expect(entries.locator('tbody tr')).toHaveCount(1);
  await expect(entries).toContainText('Missing email');
  await app.getByRole('searchbox', { name: 'Search' }).fill('');
  await expect(entries.locator('tbody tr').nth(1)).toBeVisible();
  await screenshot(page, 'run-detail');
  await page.setViewportSize({ width: 400, height: 800 });
  await screenshot(page, 'run-detail');
  await app.getByRole('link', { name: '← User Sync Logs' }).click();
  await expect(logs).toBeVisible();
  await screenshot(page, 'users');
  await app.getByRole('searchbox', { name: 'Person' }).fill('priya');
  const narrow = app.getByRole('table', { name: /Syncs that touched/ });
  await expect(narrow).toBeVisible();
  await narrow.scrollIntoViewIfNeeded();
  await screenshot(page, 'users-search');
});
