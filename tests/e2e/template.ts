import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTemplateDataDir } from './app-server';

/**
 * The run's template database (see app-server.ts, `newDataDir`), made once in `runDir` by the
 * global setup while the workers start, and waited for by every app that copies it.
 */
const dir = (runDir: string) => join(runDir, 'template');
const ready = (runDir: string) => join(runDir, 'template.ready');
const failed = (runDir: string) => join(runDir, 'template.failed');

/** Makes the template; the outcome is a marker file the workers wait for. */
export async function buildTemplate(runDir: string): Promise<void> {
  try {
    await createTemplateDataDir(dir(runDir));
    writeFileSync(ready(runDir), '');
  } catch (err) {
    writeFileSync(failed(runDir), err instanceof Error ? err.message : String(err));
  }
}

/** The template's directory once it is made; throws what went wrong if it could not be. */
export async function templateIn(runDir: string, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(ready(runDir))) {
    if (existsSync(failed(runDir))) {
      throw new Error(`The template database could not be made: ${readFileSync(failed(runDir), 'utf8')}`);
    }
    if (Date.now() > deadline)
      throw new Error(`The template database was not made within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return dir(runDir);
}
