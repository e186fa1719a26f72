import { chromium, type FrameLocator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumLaunchOptions } from './browser';
import { expect, test } from './fixtures';

/**
 * Connect from inside Procore: the sandbox's company tools page on 127.0.0.1 frames the
 * app on localhost; Connect opens Procore's sign-in in a popup; the frame ends up signed in.
 * These tests click through the real popup: it is what they test.
 */
async function expectSignedIn(frame: FrameLocator) {
  await expect(frame.getByRole('button', { name: 'Connect to Procore' })).toHaveCount(0, { timeout: 15_000 });
  await expect(frame.getByText(/Dana Whitfield/).first()).toBeVisible();
}

async function connectAsDana(page: Page) {
  await page.goto('/');
  const frame = page.frameLocator('iframe').first();
  await expect(frame.getByRole('button', { name: 'Connect to Procore' })).toBeVisible();
  const popupOpened = page.waitForEvent('popup');
  await frame.getByRole('button', { name: 'Connect to Procore' }).click();
  const popup = await popupOpened;
  await popup.getByRole('button', { name: /Dana Whitfield/ }).click();
  await expectSignedIn(frame);
  return frame;
}

test('connects through the popup and stays signed in across a reload', async ({ page }) => {
  await page.goto('/');
  const frameSrc = await page.locator('iframe').first().getAttribute('src');
  expect(new URL(frameSrc!).hostname).toBe('localhost');
  const frame = await connectAsDana(page);
  await expect(frame.getByText('Acme Builders').first()).toBeVisible();
  await page.reload();
  await expectSignedIn(page.frameLocator('iframe').first());
});

test('works with third-party cookies blocked', async ({ baseURL }) => {
  const browser = await chromium.launch({
    ...chromiumLaunchOptions(),
    args: [...CHROMIUM_ARGS, '--test-third-party-cookie-phaseout', '--block-third-party-cookies'],
  });
  try {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await connectAsDana(page);
    await page.reload();
    await expectSignedIn(page.frameLocator('iframe').first());
  } finally {
    await browser.close();
  }
});

test('closing the sign-in window shows a message and the button again', async ({ page }) => {
  await page.goto('/');
  const frame = page.frameLocator('iframe').first();
  const popupOpened = page.waitForEvent('popup');
  await frame.getByRole('button', { name: 'Connect to Procore' }).click();
  const popup = await popupOpened;
  await popup.close();
  await expect(frame.getByRole('alert')).toContainText('closed before it finished');
  await expect(frame.getByRole('button', { name: 'Connect to Procore' })).toBeEnabled();
});
