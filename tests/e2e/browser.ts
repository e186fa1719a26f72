import { existsSync } from 'node:fs';

/** Flags that let Debian's Chromium run headless here (toolchain.md §6). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own browser. */
export function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined;
}

export function chromiumLaunchOptions() {
  const executablePath = chromiumExecutable();
  return { ...(executablePath ? { executablePath } : {}), args: CHROMIUM_ARGS };
}
