import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/process';

/**
 * One app process in sandbox mode, with its own embedded database and its own Procore sandbox,
 * so a spec file neither sees nor disturbs another's data and files can run side by side.
 */
export interface AppServer {
  /** The app as the browser frames it (`PUBLIC_URL`): localhost, another site than the sandbox. */
  readonly appUrl: string;
  /** The sandbox: Procore's pages and the control API, on 127.0.0.1. */
  readonly sandboxUrl: string;
  /**
   * Suspends the process (SIGSTOP) until `resume`: a spare app waiting for its file costs no CPU.
   * An idle app is not idle (its job queue polls the embedded database several times a second),
   * and on a small machine the spares of two workers would take CPU from the files running.
   */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXIT_WITH_PARENT = join(ROOT, 'tests/e2e/exit-with-parent.mjs');
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
const ATTEMPTS = 3;

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

class StartFailed extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/**
 * A new temporary DATA_DIR: empty, or a copy of `template`, a data directory an app has created and
 * migrated and then shut down cleanly. Creating and migrating an embedded database costs several
 * seconds of CPU at every start; the copy is the same fresh database without that. The copy gets
 * its own APP_SECRET (the app generates one when secrets.json is missing).
 */
async function newDataDir(template: string | undefined): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pws-e2e-app-'));
  if (template) {
    // Not cpSync: the worker copies while its tests drive the browser, and must keep answering.
    await cp(template, dataDir, { recursive: true });
    await rm(join(dataDir, 'secrets.json'), { force: true });
    await rm(join(dataDir, 'pglite.pid'), { force: true });
  }
  return dataDir;
}

/** Settings of the app beyond the defaults (e.g. `SESSION_TTL_SECONDS`), as environment variables. */
export type AppEnv = Readonly<Record<string, string>>;

interface StartOptions {
  /** A data directory to copy the database from (see `newDataDir`); omitted = an empty one. */
  template?: string | undefined;
  env?: AppEnv | undefined;
  /** Use this DATA_DIR and leave it in place when the app stops (to make a template of it). */
  keepDataDir?: string;
}

async function startOnce(options: StartOptions): Promise<AppServer> {
  const port = await freePort();
  let sandboxPort = await freePort();
  while (sandboxPort === port) sandboxPort = await freePort();
  const dataDir = options.keepDataDir ?? (await newDataDir(options.template));
  const appUrl = `http://localhost:${port}`;
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;

  const child = spawn(process.execPath, ['--import', 'tsx', '--import', EXIT_WITH_PARENT, 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      // Sandbox mode on its own embedded database, whatever the runner's environment holds.
      DATABASE_URL: '',
      PROCORE_CLIENT_ID: '',
      PROCORE_CLIENT_SECRET: '',
      APP_SECRET: '',
      ...options.env,
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      PUBLIC_URL: appUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    // A process group of its own: should this worker die while the app is paused, the group is
    // orphaned with a stopped member, and the kernel hangs it up (SIGHUP, then SIGCONT).
    detached: true,
  });
  // Kept for the error message if the process dies before it is ready; warnings after that go
  // to the runner's output, as a web server's stderr would.
  let output = '';
  let ready = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    if (!ready) output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (ready) process.stderr.write(`[app :${port}] ${chunk}`);
    else output += chunk.toString();
  });
  // If this worker is killed without tearing down, the app must not outlive it and hold its ports.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        if (options.keepDataDir) {
          // The database is kept: shut down cleanly, so that it is whole on disk.
          child.kill('SIGCONT');
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited(child);
          clearTimeout(timer);
        } else {
          // Thrown away with its data (as Playwright's own web server is killed): a clean shutdown
          // (draining jobs, checkpointing the database) would be CPU taken from the files running.
          child.kill('SIGKILL');
          await exited(child);
        }
      }
      process.off('exit', killOnExit);
      if (!options.keepDataDir) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  // main.ts answers /readyz before it starts the sandbox: wait for both.
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(`http://127.0.0.1:${port}/readyz`)) || !(await answers(`${sandboxUrl}/_sandbox`))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new StartFailed(
        `The app exited before it was ready (code ${child.exitCode ?? child.signalCode}):\n${output}`,
        /EADDRINUSE/.test(output),
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new StartFailed(`The app was not ready within ${START_TIMEOUT_MS / 1000} s:\n${output}`, false);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  ready = true;
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
  };
  return { appUrl, sandboxUrl, pause: () => signal('SIGSTOP'), resume: () => signal('SIGCONT'), stop };
}

/**
 * Starts an app on free ports with a fresh DATA_DIR (a copy of `template` when given) and `env`
 * added to its environment; resolves once the app and its sandbox answer.
 */
export async function startAppServer(template?: string, env?: AppEnv): Promise<AppServer> {
  return startWithRetries({ template, env });
}

/**
 * Starts an app on `dataDir` (new or empty), lets it create and migrate its database, and stops
 * it, leaving the directory for `startAppServer` to copy. The caller removes it.
 */
export async function createTemplateDataDir(dataDir: string): Promise<void> {
  const server = await startWithRetries({ keepDataDir: dataDir });
  await server.stop();
  rmSync(join(dataDir, 'secrets.json'), { force: true });
}

async function startWithRetries(options: StartOptions): Promise<AppServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // Another process may take a port between choosing it and the app binding it: pick again.
      if (!(err instanceof StartFailed && err.portTaken && attempt < ATTEMPTS)) throw err;
    }
  }
}
