import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/e2e/browser';

/**
 * Browser tests: the real app in sandbox mode (embedded PGlite + the built-in Procore simulator),
 * opened from the simulator's framing page on 127.0.0.1 while the app is on localhost — two sites,
 * as inside Procore. Ports are fixed but unusual so a developer's `npm start` is not disturbed.
 */
export const E2E_APP_PORT = Number(process.env.E2E_APP_PORT ?? 3310);
export const E2E_SANDBOX_PORT = Number(process.env.E2E_SANDBOX_PORT ?? 4310);
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'pws-e2e-'));

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  workers: 1, // one sandbox, one app: specs reset the sandbox they share
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: '.playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_SANDBOX_PORT}`,
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'node --import tsx server/main.ts',
    url: `http://127.0.0.1:${E2E_APP_PORT}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(E2E_APP_PORT),
      SANDBOX_PORT: String(E2E_SANDBOX_PORT),
      PUBLIC_URL: `http://localhost:${E2E_APP_PORT}`,
      DATA_DIR: process.env.E2E_DATA_DIR,
      LOG_LEVEL: 'warn',
    },
  },
});
