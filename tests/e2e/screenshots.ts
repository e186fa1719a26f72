import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';

export const SCREENSHOT_DIR = 'artifacts/screenshots';

/** Saves a full-page screenshot among the test artifacts, named by what it shows. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const { width } = page.viewportSize() ?? { width: 1280 };
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}-${width}.png`, fullPage: true });
}
