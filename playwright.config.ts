import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/e2e/browser';

/**
 * Browser tests: the real app in sandbox mode (embedded PGlite + the built-in Procore simulator),
 * opened from the simulator's framing page on 127.0.0.1 while the app is on localhost — two sites,
 * as inside Procore. There is no shared web server: each spec file starts an app and a sandbox of
 * its own on free ports with a fresh database (tests/e2e/fixtures.ts), and `baseURL` is that
 * file's sandbox. `dist/` must be built first (`npm run test:e2e` and `npm test` do).
 */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  outputDir: 'test-results',
  // Files share nothing, so two run at once; the tests of a file stay in order (they share its
  // app). Two, not more: this runs on two cores, and each file drives an app, a sync and Chromium.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: '.playwright.json' }]],
  use: {
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1280, height: 800 },
    // A failed test keeps its trace: every action with the page's DOM before and after. Without the
    // screencast, which costs the browser a good part of its CPU on every test, failed or not.
    trace: { mode: 'retain-on-failure', screenshots: false },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
