import { type PGlite, types } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { yieldToEventLoop } from '../event-loop';

/**
 * A Kysely dialect over embedded PGlite. PGlite is one session, so every Kysely connection
 * takes a mutex for its whole life: a transaction holds it from BEGIN to COMMIT and nothing
 * else can run inside it (toolchain.md §3: kysely-pglite fails isolation and row counts).
 * The mutex is exposed so the job queue shares it. Whoever takes it lets the event loop run
 * first, and so does every statement (`yieldToEventLoop`).
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    return previous.then(yieldToEventLoop).then(() => release);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** int8 and numeric as strings, as `pg` returns them: Procore ids are 64-bit (toolchain.md §3). */
export const pgCompatParsers = {
  [types.INT8]: (x: string) => x,
  [types.NUMERIC]: (x: string) => x,
};

const WRITE_STATEMENT = /^\s*(insert|update|delete|merge|with)\b/i;

/**
 * Rolls back a transaction still open on the shared session when its holder gives it up. Kysely
 * always commits or rolls back before it releases a connection, so this only acts after a failure
 * (a ROLLBACK that itself failed, raw BEGIN without its end, a statement list that stopped
 * between BEGIN and COMMIT); without it every later query, from anyone, would be refused with
 * "current transaction is aborted". Never throws: it runs on the way to releasing the mutex.
 */
export async function endLeftoverTransaction(pg: PGlite, onError?: (err: Error) => void): Promise<void> {
  try {
    if (!pg.closed && pg.isInTransaction()) {
      await pg.exec('rollback');
      onError?.(new Error('a connection was given back inside an open transaction; it was rolled back'));
    }
  } catch (err) {
    onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(
    private readonly pg: PGlite,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // PGlite executes a statement synchronously inside the process and resolves without returning
    // to the event loop, so a chain of statements (a sync's page, a batch of jobs, the queue's
    // polls behind them) would otherwise starve every socket and timer until the chain ends.
    await yieldToEventLoop();
    const result = await this.pg.query<R>(query.sql, query.parameters as unknown[]);
    const counted = result.affectedRows !== undefined && WRITE_STATEMENT.test(query.sql);
    return { rows: result.rows, ...(counted ? { numAffectedRows: BigInt(result.affectedRows ?? 0) } : {}) };
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(query);
  }
}

export interface PGliteDialectOptions {
  /** Told about a transaction left open on a released connection (and rolled back). */
  onError?: (err: Error) => void;
}

class PGliteDriver implements Driver {
  constructor(
    private readonly pg: PGlite,
    private readonly mutex: Mutex,
    private readonly options: PGliteDialectOptions,
  ) {}

  async init(): Promise<void> {
    await this.pg.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PGliteConnection(this.pg, await this.mutex.lock());
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await endLeftoverTransaction(this.pg, this.options.onError);
    } finally {
      (connection as PGliteConnection).release();
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.isolationLevel
      ? `start transaction isolation level ${settings.isolationLevel}`
      : 'begin';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {}
}

export class PGliteDialect implements Dialect {
  constructor(
    readonly pg: PGlite,
    readonly mutex = new Mutex(),
    readonly options: PGliteDialectOptions = {},
  ) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pg, this.mutex, this.options);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
