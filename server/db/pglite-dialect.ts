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
import type { EmbeddedSession } from './pglite-thread';

/**
 * A Kysely dialect over embedded PGlite, which runs on its own thread (pglite-thread.ts). PGlite
 * is one session, so every Kysely connection takes a mutex for its whole life: a transaction
 * holds it from BEGIN to COMMIT and nothing else can run inside it (toolchain.md §3:
 * kysely-pglite fails isolation and row counts). The mutex is exposed so the job queue shares it.
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
    return previous.then(() => release);
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

const WRITE_STATEMENT = /^\s*(insert|update|delete|merge|with)\b/i;

/**
 * Rolls back a transaction still open on the shared session when its holder gives it up. Kysely
 * always commits or rolls back before it releases a connection, so this only acts after a failure
 * (a ROLLBACK that itself failed, raw BEGIN without its end, a statement list that stopped
 * between BEGIN and COMMIT); without it every later query, from anyone, would be refused with
 * "current transaction is aborted". Never throws: it runs on the way to releasing the mutex.
 */
export async function endLeftoverTransaction(
  session: EmbeddedSession,
  onError?: (err: Error) => void,
): Promise<void> {
  try {
    if (await session.endTransaction()) {
      onError?.(new Error('a connection was given back inside an open transaction; it was rolled back'));
    }
  } catch (err) {
    onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(
    private readonly session: EmbeddedSession,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.session.query<R>(query.sql, query.parameters);
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
    private readonly session: EmbeddedSession,
    private readonly mutex: Mutex,
    private readonly options: PGliteDialectOptions,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PGliteConnection(this.session, await this.mutex.lock());
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await endLeftoverTransaction(this.session, this.options.onError);
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
    readonly session: EmbeddedSession,
    readonly mutex = new Mutex(),
    readonly options: PGliteDialectOptions = {},
  ) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.session, this.mutex, this.options);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
