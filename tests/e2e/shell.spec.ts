import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test('the app opens inside the Procore sandbox framing page, from another site', async ({ page }) => {
  await page.goto('/');
  const frameElement = page.locator('iframe').first();
  await expect(frameElement).toBeVisible();
  const src = await frameElement.getAttribute('src');
  expect(new URL(src!).hostname).toBe('localhost'); // the top page is 127.0.0.1: another site
  const frame = page.frameLocator('iframe').first();
  await expect(
    frame.getByRole('heading', { name: 'Keep your workforce in step with Procore' }),
  ).toBeVisible();
  await expect(frame.getByRole('button', { name: 'Connect to Procore' })).toBeVisible();
  await screenshot(page, 'shell-in-procore-frame');
});
