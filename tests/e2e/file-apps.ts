import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppEnv, AppServer } from './app-server';
import type { SignIn } from './sign-in';

/** The app of one spec file, and the sign-ins done on it. */
export interface FileApp {
  readonly file: string;
  readonly server: AppServer;
  /** Sign-ins by person: the OAuth flow runs once per file and person. */
  readonly signIns: Map<string, Promise<SignIn>>;
}

/** What the workers of a run tell each other, so that no worker starts a spare nobody will take. */
export interface RunBook {
  /** Records that `file` has started; returns how many files of the run have not. */
  starting(file: string): number;
  /** Records whether this worker holds a spare app. */
  holdingSpare(held: boolean): void;
  /** How many spare apps the run's other workers hold. */
  sparesElsewhere(): number;
}

/** Without a run directory: always one more file to come, and nobody else's spare. */
const NO_BOOK: RunBook = {
  starting: () => Number.POSITIVE_INFINITY,
  holdingSpare: () => undefined,
  sparesElsewhere: () => 0,
};

export interface FileAppsOptions {
  /** Starts an app with the defaults, or with `env` added to its environment. */
  start: (env?: AppEnv) => Promise<AppServer>;
  book?: RunBook;
}

/**
 * The apps of one Playwright worker, one per spec file. A worker runs its files one after another,
 * so it needs one app at a time: the current file's is replaced when the next file's first test
 * asks for its own. Starting an app takes seconds of CPU (loading the server, opening the embedded
 * database), so while a file runs a spare one starts in the background and then waits, paused; the
 * next file takes it instead of waiting. A spare is started only while the run has more files to
 * start than other workers hold spares. A file that sets the app's environment (`appEnv`) cannot use
 * a spare, started with the defaults: its app starts when it asks, and the spare waits for the next
 * file.
 */
export class FileApps {
  private current: FileApp | undefined;
  private spare: Promise<AppServer> | undefined;
  private readonly stopping = new Set<Promise<void>>();
  private readonly start: (env?: AppEnv) => Promise<AppServer>;
  private readonly book: RunBook;

  constructor(options: FileAppsOptions) {
    this.start = options.start;
    this.book = options.book ?? NO_BOOK;
    // A worker is started to run at least one file: its first app starts at once, while the
    // worker goes on launching the browser.
    this.spare = this.startSpare();
  }

  async forFile(file: string, env: AppEnv = {}): Promise<FileApp> {
    if (this.current?.file === file) return this.current;
    if (this.current) this.retire(this.current.server);
    this.current = undefined;
    const unstarted = this.book.starting(file);
    const server = Object.keys(env).length > 0 ? await this.start(env) : await this.takeSpare();
    if (!this.spare && unstarted > this.book.sparesElsewhere()) this.spare = this.startSpare();
    this.current = { file, server, signIns: new Map() };
    return this.current;
  }

  /** Stops every app of this worker, the spare included, and removes their data directories. */
  async close(): Promise<void> {
    if (this.current) this.retire(this.current.server);
    this.current = undefined;
    const spare = this.spare;
    this.spare = undefined;
    this.book.holdingSpare(false);
    if (spare) {
      const server = await spare.catch(() => undefined);
      if (server) this.retire(server);
    }
    await Promise.all(this.stopping);
  }

  private async takeSpare(): Promise<AppServer> {
    const spare = this.spare;
    this.spare = undefined;
    this.book.holdingSpare(false);
    // A spare that failed to start gets one more try in the foreground, where its error is reported.
    const server = (await spare?.catch(() => undefined)) ?? (await this.start());
    server.resume();
    return server;
  }

  private startSpare(): Promise<AppServer> {
    this.book.holdingSpare(true);
    // Paused once it is ready: it waits without taking CPU from the file running meanwhile.
    const spare = this.start().then((server) => {
      server.pause();
      return server;
    });
    spare.catch(() => undefined); // reported when a file takes it, not as an unhandled rejection
    return spare;
  }

  /** Stops an app without making the next file wait for it. */
  private retire(server: AppServer): void {
    const stopped = server
      .stop()
      .catch(() => undefined)
      .finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }
}

/**
 * The run book of one run, kept as files in `runDir` (made by the global setup) that its workers
 * share: a mark per spec file started, and one per worker holding a spare. `specFiles` are the
 * run's files; a run of a subset of them may start a spare it does not need.
 */
export function runBook(runDir: string, specFiles: readonly string[], worker: string): RunBook {
  const started = (file: string) => join(runDir, `started-${createHash('sha1').update(file).digest('hex')}`);
  const spareMark = (w: string) => join(runDir, `spare-${w}`);
  return {
    starting(file) {
      writeFileSync(started(file), file);
      return specFiles.filter((f) => !existsSync(started(f))).length;
    },
    holdingSpare(held) {
      if (held) writeFileSync(spareMark(worker), '');
      else rmSync(spareMark(worker), { force: true });
    },
    sparesElsewhere() {
      return readdirSync(runDir).filter((f) => f.startsWith('spare-') && f !== `spare-${worker}`).length;
    },
  };
}
