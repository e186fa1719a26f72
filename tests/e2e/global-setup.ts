import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplate } from './template';

/**
 * Once per run, a directory the workers share (E2E_RUN_DIR, inherited by them): the template
 * database every spec file's app starts from (template.ts), made here while the workers start
 * rather than before, and the run book of its workers: which files have started, which workers
 * hold a spare app (file-apps.ts).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const runDir = mkdtempSync(join(tmpdir(), 'pws-e2e-run-'));
  process.env.E2E_RUN_DIR = runDir;
  const template = buildTemplate(runDir);
  return async () => {
    await template;
    rmSync(runDir, { recursive: true, force: true });
  };
}
