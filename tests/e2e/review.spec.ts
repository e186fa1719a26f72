import type { Page } from '@playwright/test';
import { COMPANY_ID, syncToTheEnd } from './app';
import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 180_000 });

/**
 * Procore's webhooks stop arriving (the hook disabled) while a quarter of the roster is made
 * inactive in Procore: the next sync must not deactivate them on its own. Preview warns, Sync
 * stops for review, and an admin confirms.
 */
async function disableOurHooks(page: Page) {
  const token = (await (
    await page.request.post('/_sandbox/tokens', { data: { service_account: true } })
  ).json()) as {
    access_token: string;
  };
  const headers = { authorization: `Bearer ${token.access_token}`, 'procore-company-id': COMPANY_ID };
  const base = `/rest/v2.0/companies/${COMPANY_ID}/webhooks/hooks`;
  const hooks = (await (await page.request.get(base, { headers })).json()) as { data: Array<{ id: string }> };
  expect(hooks.data.length).toBeGreaterThan(0);
  for (const hook of hooks.data) {
    const res = await page.request.patch(`${base}/${hook.id}`, { headers, data: { status: 'disabled' } });
    expect(res.ok()).toBeTruthy();
  }
}

test('a sync that would deactivate a quarter of the roster waits for an admin, after Preview said so', async ({
  page,
  adminApp: app,
}) => {
  await syncToTheEnd(app, 90_000);

  await disableOurHooks(page);
  const res = await page.request.get(`/_sandbox/companies/${COMPANY_ID}/users`, {
    params: { active: 'true' },
  });
  const { items } = (await res.json()) as { items: Array<{ id: number; email_address: string | null }> };
  const leaving = items
    .filter(
      (u) => u.email_address?.endsWith('@acmebuilders.example') && !/^(dana|luis)\./.test(u.email_address),
    )
    .slice(0, 70);
  for (const u of leaving) {
    const r = await page.request.post(`/_sandbox/companies/${COMPANY_ID}/users/${u.id}/deactivate`);
    expect(r.ok()).toBeTruthy();
  }

  await app.getByRole('button', { name: 'Preview' }).click();
  await expect(app.getByText(/A sync now would stop for review before deactivating anyone/)).toBeVisible({
    timeout: 60_000,
  });
  await expect(app.getByRole('table', { name: 'What the next sync would change' })).toContainText(
    'Would deactivate',
  );
  await screenshot(page, 'users-preview');

  await app.getByRole('button', { name: 'Sync', exact: true }).click();
  const review = app.getByRole('heading', { name: /Review needed: this sync would deactivate \d+ workers/ });
  await expect(review).toBeVisible({ timeout: 90_000 });
  await screenshot(page, 'users-needs-review');
  await page.setViewportSize({ width: 400, height: 800 });
  await screenshot(page, 'users-needs-review');
  await page.setViewportSize({ width: 1280, height: 800 });
  const confirm = app.getByRole('button', { name: /^Confirm: deactivate \d+ workers$/ });
  await confirm.click();
  await expect(review).toHaveCount(0, { timeout: 30_000 });
  const top = app
    .getByRole('table', { name: /User Sync Logs/ })
    .locator('tbody tr')
    .first();
  await expect(top).toContainText(/Succeeded|Partly synced/);
});

test('a cancelled review reads as canceled: no green bar, nobody deactivated', async ({
  page,
  adminApp: app,
}) => {
  await syncToTheEnd(app, 90_000);
  await disableOurHooks(page);
  const res = await page.request.get(`/_sandbox/companies/${COMPANY_ID}/users`, {
    params: { active: 'true' },
  });
  const { items } = (await res.json()) as { items: Array<{ id: number; email_address: string | null }> };
  const leaving = items
    .filter(
      (u) => u.email_address?.endsWith('@acmebuilders.example') && !/^(dana|luis)\./.test(u.email_address),
    )
    .slice(0, 70);
  for (const u of leaving) {
    const r = await page.request.post(`/_sandbox/companies/${COMPANY_ID}/users/${u.id}/deactivate`);
    expect(r.ok()).toBeTruthy();
  }

  await app.getByRole('button', { name: 'Sync', exact: true }).click();
  const review = app.getByRole('heading', { name: /Review needed: this sync would deactivate \d+ workers/ });
  await expect(review).toBeVisible({ timeout: 90_000 });
  await app.getByRole('button', { name: 'Cancel this sync' }).click();
  await expect(review).toHaveCount(0, { timeout: 30_000 });

  const outcome = app.getByRole('status').filter({ hasText: 'The sync was canceled.' });
  await expect(outcome).toContainText(/nobody was deactivated/);
  const bar = outcome.getByRole('progressbar', { name: 'Users processed before the sync was canceled' });
  await expect(bar).toBeVisible();
  // Gray, not the green of a finished sync.
  const fill = await bar.locator('.bar__fill').evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r, g, b] = (fill.match(/\d+/g) ?? []).map(Number);
  expect(Math.abs(r! - g!) < 16 && Math.abs(g! - b!) < 16).toBe(true);
  const top = app
    .getByRole('table', { name: /User Sync Logs/ })
    .locator('tbody tr')
    .first();
  await expect(top).toContainText('Canceled');
  await expect(top).toContainText('No changes');
  await screenshot(page, 'users-review-canceled');
});
