import { type BuildSandboxOptions, buildSandbox, type SandboxHandle } from './app';
import type { SeedOptions } from './seed';
import type { SettingsPatch } from './settings';

export type { SandboxHandle } from './app';

/**
 * The built-in Procore simulator (design.md, "Sandbox"). `npm start` runs it beside the app in
 * sandbox mode; `npm run sandbox` runs it alone. Control API and seed facts: ./README.md.
 */
export interface SandboxOptions {
  port: number;
  host?: string;
  /** The app's public URL, framed by the company tools page. */
  appUrl: string;
  logLevel?: string;
  /** Seed options (PRNG seed, generated user count). */
  seed?: SeedOptions;
  /** Initial settings: client credentials, token lifetime, rate limits, webhook time scale… */
  settings?: SettingsPatch;
}

export interface RunningSandbox {
  url: string;
  close(): Promise<void>;
  /** The in-memory state and helpers, for tests that need to look inside. */
  handle: SandboxHandle;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const buildOptions: BuildSandboxOptions = {
    appUrl: options.appUrl,
    logLevel: options.logLevel === 'info' ? 'warn' : options.logLevel,
    seed: options.seed,
    settings: options.settings,
  };
  const handle = await buildSandbox(buildOptions);
  await handle.app.listen({ port: options.port, host });
  const address = handle.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, close: () => handle.app.close(), handle };
}
