import { expect, type FrameLocator, type Page } from '@playwright/test';

/**
 * Helpers for specs that use the app as a person would, inside the sandbox's Procore frame
 * (style.md rule 23). Each spec file has an app, a database and a sandbox of its own (see
 * fixtures.ts), so no spec counts on or is disturbed by what another file did; the tests of one
 * file run in order and share them.
 */
export const COMPANY_ID = '4280001';

export const ADMIN = 'Dana Whitfield';
export const NON_ADMIN = 'Luis Ortega';

export function appFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe#app');
}

export async function openApp(page: Page): Promise<FrameLocator> {
  await page.goto(`/?company_id=${COMPANY_ID}`);
  return appFrame(page);
}

/** Opens the framed app with a session already in place, and waits until it shows its pages. */
export async function openSignedIn(page: Page): Promise<FrameLocator> {
  const app = await openApp(page);
  await expect(app.getByRole('navigation', { name: 'Worker Sync pages' })).toBeVisible({ timeout: 15_000 });
  return app;
}

export async function goToTab(app: FrameLocator, name: 'Users' | 'Workers' | 'Connection'): Promise<void> {
  await app
    .getByRole('navigation', { name: 'Worker Sync pages' })
    .getByRole('link', { name: new RegExp(`^${name}`) })
    .click();
}

/** Presses Sync and waits until the run has ended (the outcome banner replaces the progress). */
export async function syncToTheEnd(app: FrameLocator, timeout = 60_000): Promise<void> {
  await app.getByRole('button', { name: 'Sync', exact: true }).click();
  await expect(app.getByText(/^(Sync finished|The sync failed|The sync is waiting for review)/)).toBeVisible({
    timeout,
  });
}

export async function sandboxUserId(page: Page, search: string): Promise<number> {
  const res = await page.request.get(`/_sandbox/companies/${COMPANY_ID}/users`, { params: { search } });
  const { items } = (await res.json()) as { items: { id: number }[] };
  const first = items[0];
  if (!first) throw new Error(`no sandbox user matches ${search}`);
  return first.id;
}
