import { Worker } from 'node:worker_threads';
import { PGLITE_WORKER } from '../app-files';

/**
 * The embedded database on a thread of its own (`pglite-thread.worker.mjs`). PGlite runs
 * PostgreSQL as WebAssembly in the thread that calls it and does not return to the event loop
 * while a statement runs; on the app's thread, a page of a sync (tens of milliseconds) held every
 * request, timer and webhook delivery behind it, and the app's own work (reading Procore's pages,
 * deciding users) waited for the database instead of running beside it. Here the app's thread
 * sends each statement to the database's thread and answers requests meanwhile.
 *
 * One session, as PGlite is: statements run in the order they were sent. The mutex that keeps a
 * transaction's statements together stays with the caller (pglite-dialect.ts).
 */

export interface EmbeddedResult<R> {
  rows: R[];
  affectedRows?: number;
}

/** What the dialect and the job queue need of the embedded database. */
export interface EmbeddedSession {
  query<R>(sql: string, params?: readonly unknown[]): Promise<EmbeddedResult<R>>;
  /** Several statements in one string; the last one's rows. */
  exec<R>(sql: string): Promise<EmbeddedResult<R>>;
  /** Rolls back a transaction left open on the session; true when there was one. */
  endTransaction(): Promise<boolean>;
}

interface Failure {
  name?: string;
  message: string;
  [field: string]: string | undefined;
}

type Reply = ({ id: number; result: unknown } | { id: number; error: Failure }) & { inTransaction: boolean };

/** An error from the database's thread, with PostgreSQL's fields (`code`, `constraint`, …). */
export class EmbeddedDatabaseError extends Error {
  readonly code?: string;
  constructor(failure: Failure) {
    super(failure.message);
    const { name, message: _message, ...fields } = failure;
    Object.assign(this, fields);
    this.name = name && name !== 'Error' ? name : 'EmbeddedDatabaseError';
  }
}

export interface PGliteThreadOptions {
  /** A directory for a persistent database; omitted = in memory. */
  dataDir?: string;
  /** A `dumpDataDir()` snapshot to start from. */
  loadDataDir?: Blob;
  /** Added to PGlite's own start parameters. */
  startParams: readonly string[];
  /** Told when the thread stops other than by `close()` (a crash): every later query fails. */
  onStopped?: (err: Error) => void;
}

/**
 * The Node flags of the database's thread: the app's profiler flags (`--cpu-prof…`, a profile per
 * thread) and nothing else. A thread inherits every flag by default, and would run the modules
 * the app preloads again (the browser tests' app ends itself when its stdin closes, and a
 * thread's stdin is closed); V8's own flags (`--max-old-space-size`) are refused in a thread's
 * list, and apply to the process anyway.
 */
export function threadFlags(execArgv: readonly string[]): string[] {
  return execArgv.filter((flag) => /^--(cpu|heap)-prof/.test(flag));
}

export class PGliteThread implements EmbeddedSession {
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #stopped: Error | null = null;
  /** As the last answer left the session. */
  #inTransaction = false;
  #closing = false;

  private constructor(
    private readonly worker: Worker,
    onStopped?: (err: Error) => void,
  ) {
    worker.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      this.#inTransaction = reply.inTransaction;
      if (this.#pending.size === 0) worker.unref();
      if ('error' in reply) waiting.reject(new EmbeddedDatabaseError(reply.error));
      else waiting.resolve(reply.result);
    });
    const stop = (err: Error) => {
      if (!this.#stopped && !this.#closing) onStopped?.(err);
      this.#stopped ??= err;
      for (const waiting of this.#pending.values()) waiting.reject(err);
      this.#pending.clear();
    };
    worker.on('error', (err) =>
      stop(new Error(`the embedded database stopped: ${err.message}`, { cause: err })),
    );
    worker.on('exit', (code) => stop(new Error(`the embedded database stopped (thread exit code ${code})`)));
  }

  /** Starts the thread and opens the database in it; rejects when the database cannot open. */
  static async start(options: PGliteThreadOptions): Promise<PGliteThread> {
    const snapshot = options.loadDataDir
      ? { bytes: await options.loadDataDir.arrayBuffer(), type: options.loadDataDir.type }
      : undefined;
    const worker = new Worker(PGLITE_WORKER, {
      execArgv: threadFlags(process.execArgv),
      workerData: { dataDir: options.dataDir, loadDataDir: snapshot, startParams: [...options.startParams] },
      transferList: snapshot ? [snapshot.bytes] : [],
    });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new Error(`the embedded database did not start (exit code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (first: { ready?: true; failed?: Failure }) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (first.ready) resolve();
        else {
          reject(
            new EmbeddedDatabaseError(first.failed ?? { message: 'the embedded database did not start' }),
          );
          void worker.terminate();
        }
      });
    });
    worker.unref();
    return new PGliteThread(worker, options.onStopped);
  }

  get closed(): boolean {
    return this.#stopped !== null;
  }

  #send<T>(op: string, fields: object = {}, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // The thread keeps the process alive only while an answer is awaited.
      if (this.#pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, op, ...fields }, transfer);
    });
  }

  query<R>(sql: string, params: readonly unknown[] = []): Promise<EmbeddedResult<R>> {
    return this.#send('query', { sql, params });
  }

  exec<R>(sql: string): Promise<EmbeddedResult<R>> {
    return this.#send('exec', { sql });
  }

  endTransaction(): Promise<boolean> {
    if (this.#stopped || !this.#inTransaction) return Promise.resolve(false);
    return this.#send('endTransaction');
  }

  /** The whole database as a gzipped tarball (tests start from a migrated snapshot). */
  async dumpDataDir(): Promise<Blob> {
    const { bytes, type } = await this.#send<{ bytes: ArrayBuffer; type: string }>('dump');
    return new Blob([bytes], { type });
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#closing = true;
    try {
      await this.#send('close');
    } finally {
      this.#stopped ??= new Error('the embedded database is closed');
      await this.worker.terminate();
    }
  }
}
