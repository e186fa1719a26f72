import { expect, type FrameLocator, type Page } from '@playwright/test';

/**
 * Helpers for specs that use the app as a person would, inside the sandbox's Procore frame
 * (style.md rule 23). The sandbox is shared by the specs of one run (`workers: 1`), so each spec
 * resets it first and never counts on what an earlier spec did.
 */
export const COMPANY_ID = '4280001';

export const ADMIN = 'Dana Whitfield';
export const NON_ADMIN = 'Luis Ortega';

export async function resetSandbox(page: Page): Promise<void> {
  const res = await page.request.post('/_sandbox/reset', { data: {} });
  expect(res.ok(), 'sandbox reset').toBeTruthy();
  await page.request.delete('/_sandbox/faults');
}

export function appFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe#app');
}

export async function openApp(page: Page): Promise<FrameLocator> {
  await page.goto(`/?company_id=${COMPANY_ID}`);
  return appFrame(page);
}

/** Connect through the real popup: Procore's sign-in page, pick a person, back in the frame. */
export async function connectAs(page: Page, person: string): Promise<FrameLocator> {
  const app = await openApp(page);
  const popupPromise = page.waitForEvent('popup');
  await app.getByRole('button', { name: 'Connect to Procore' }).click();
  const popup = await popupPromise;
  await popup
    .getByRole('button', { name: new RegExp(person) })
    .first()
    .click();
  await popup.waitForEvent('close', { timeout: 15_000 }).catch(() => undefined);
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
