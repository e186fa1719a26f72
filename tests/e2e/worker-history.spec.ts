import type { Page } from '@playwright/test';
import { COMPANY_ID, goToTab, sandboxUserId, syncToTheEnd } from './app';
import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 180_000 });

/** Edits a user through the sandbox's Directory page, as an admin does in Procore. */
async function editInDirectory(page: Page, search: string, field: string, value: string) {
  const directory = await page.context().newPage();
  try {
    await directory.goto(`/directory?company_id=${COMPANY_ID}&q=${encodeURIComponent(search)}`);
    await directory
      .getByRole('link', { name: new RegExp(search) })
      .first()
      .click();
    await directory.getByLabel(field, { exact: true }).fill(value);
    await directory.getByRole('button', { name: 'Save' }).click();
    await expect(directory.getByText('Saved.')).toBeVisible();
  } finally {
    await directory.close();
  }
}

test("the worker's history shows a Directory edit with who made it", async ({ page, adminApp: app }) => {
  await syncToTheEnd(app, 90_000);
  await goToTab(app, 'Workers');
  const totals = app.getByRole('definition').first();
  await expect(app.getByText('Active workers')).toBeVisible();
  await expect(totals).not.toHaveText('0');

  const list = app.getByRole('table', { name: 'Workers' });
  await app.getByRole('searchbox', { name: 'Search' }).fill('Yamamoto');
  const row = list.locator('tbody tr[data-worker-id]').filter({ hasText: 'Yamamoto' });
  await expect(row).toHaveCount(1);

  const payrollId = `HX-${Date.now() % 100000}`;
  await editInDirectory(page, 'Yamamoto', 'Employee ID', payrollId);
  await expect(row).toContainText(payrollId, { timeout: 30_000 });

  await row.getByRole('button', { name: /Yamamoto/ }).click();
  const history = app.getByRole('region', { name: 'History' });
  const latest = history.getByRole('listitem').first();
  await expect(latest).toContainText(`→ ${payrollId}`);
  await expect(latest).toContainText('Payroll ID');
  await expect(latest).toContainText('Changed in Procore by Dana Whitfield');
  await expect(latest).toContainText('Procore change');
  // The time carries its zone, like every time the app shows.
  await expect(latest.locator('time')).toHaveText(/\d{1,2}:\d{2}\s?[AP]M\s+\S+/);
  await expect(latest.getByRole('link', { name: /^Run #\d+$/ })).toBeVisible();
  await history.scrollIntoViewIfNeeded();
  await screenshot(page, 'worker-history');
  await page.setViewportSize({ width: 400, height: 800 });
  await history.scrollIntoViewIfNeeded();
  await screenshot(page, 'worker-history');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The first sync's log, from the history's link: a skipped user links to them in the Directory.
  await history.getByRole('link', { name: 'Run #1' }).click();
  await app.getByRole('combobox', { name: 'Result' }).selectOption('skipped');
  const skipped = app
    .getByRole('table', { name: 'Users in this sync' })
    .locator('tbody tr')
    .filter({ hasText: 'Greg Hollis' });
  const link = skipped.getByRole('link', {
    name: "Open Greg Hollis in Procore's Directory (opens in a new tab)",
  });
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', /noopener/);
  const hollis = await sandboxUserId(page, 'Hollis');
  await expect(link).toHaveAttribute(
    'href',
    new RegExp(`/directory\\?company_id=${COMPANY_ID}&user_id=${hollis}$`),
  );
  await skipped.scrollIntoViewIfNeeded();
  await screenshot(page, 'run-skipped-directory-link');
  await page.setViewportSize({ width: 400, height: 800 });
  await skipped.scrollIntoViewIfNeeded();
  await screenshot(page, 'run-skipped-directory-link');
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('searching Workers for a phone as it is displayed finds the worker', async ({ adminApp: app }) => {
  await goToTab(app, 'Workers');
  const list = app.getByRole('table', { name: 'Workers' });
  const search = app.getByRole('searchbox', { name: 'Search' });
  await search.fill('Yamamoto');
  const row = list.locator('tbody tr[data-worker-id]').filter({ hasText: 'Yamamoto' });
  await expect(row).toHaveCount(1);
  const shown = (await row.locator('td[data-label="Phone"]').textContent())?.trim() ?? '';
  expect(shown).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/);
  const digits = shown.replace(/\D/g, '');

  for (const typed of [shown, `+1 ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`, digits]) {
    await search.fill(typed);
    await expect(list.locator('tbody tr[data-worker-id]')).toHaveCount(1);
    await expect(list.locator('tbody tr[data-worker-id]')).toContainText('Yamamoto');
  }
});

test('"See all N workers" of a review opens Workers filtered to exactly those workers', async ({
  page,
  adminApp: app,
}) => {
  // Procore's webhooks stop (hooks disabled) while 70 users are made inactive: the next sync stops
  // for review.
  const token = (await (
    await page.request.post('/_sandbox/tokens', { data: { service_account: true } })
  ).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}`, 'procore-company-id': COMPANY_ID };
  const hooksUrl = `/rest/v2.0/companies/${COMPANY_ID}/webhooks/hooks`;
  const hooks = (await (await page.request.get(hooksUrl, { headers })).json()) as {
    data: Array<{ id: string }>;
  };
  for (const hook of hooks.data) {
    const r = await page.request.patch(`${hooksUrl}/${hook.id}`, { headers, data: { status: 'disabled' } });
    expect(r.ok()).toBeTruthy();
  }
  const res = await page.request.get(`/_sandbox/companies/${COMPANY_ID}/users`, {
    params: { active: 'true' },
  });
  const { items } = (await res.json()) as { items: Array<{ id: number; email_address: string | null }> };
  const leaving = items
    .filter(
      (u) =>
        u.email_address?.endsWith('@acmebuilders.example') &&
        !/^(dana|luis|\w+\.yamamoto)/.test(u.email_address),
    )
    .slice(0, 70);
  for (const u of leaving) {
    expect(
      (await page.request.post(`/_sandbox/companies/${COMPANY_ID}/users/${u.id}/deactivate`)).ok(),
    ).toBeTruthy();
  }

  await goToTab(app, 'Users');
  await syncToTheEnd(app, 90_000);
  const seeAll = app.getByRole('link', { name: /^See all \d+ workers$/ });
  await expect(seeAll).toBeVisible({ timeout: 30_000 });
  const count = Number((await seeAll.textContent())?.match(/\d+/)?.[0]);
  // Every deactivated user who was a synced worker (some of them never were: skipped by the sync).
  expect(count).toBeGreaterThan(50);
  expect(count).toBeLessThanOrEqual(leaving.length);
  await seeAll.click();

  await expect(app.getByRole('heading', { name: 'Workers' })).toBeVisible();
  const chip = app.getByRole('button', { name: /^Remove the filter Run #\d+: would deactivate$/ });
  await expect(chip).toBeVisible();
  await expect(app.getByText('Showing 50 workers')).toBeVisible();
  await app.getByRole('button', { name: 'Show more workers' }).click();
  await expect(app.getByText(`Showing ${count} workers (all)`)).toBeVisible();
  await app.getByRole('heading', { name: 'Workers' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'workers-run-filter');
  await page.setViewportSize({ width: 400, height: 800 });
  await app.getByRole('heading', { name: 'Workers' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'workers-run-filter');
  await page.setViewportSize({ width: 1280, height: 800 });

  await chip.click();
  await expect(chip).toHaveCount(0);
  await expect(app.getByText(`Showing ${count} workers (all)`)).toHaveCount(0);
  await expect(app.getByText('Showing 50 workers')).toBeVisible();
});
