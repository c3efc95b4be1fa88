import type {
  AbortableOperationOptions,
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";

/**
 * A counter that this store bumps after every statement that may have changed data and after every
 * commit or rollback, whoever sent it: the Kysely driver is wrapped, so no use case can forget it.
 * A reader that notes the value before it starts reading and finds it unchanged afterwards knows
 * that nothing this process wrote has become visible in the meantime (response caches validate
 * their entries with it). It counts this process's writes only: another process writing to the
 * same database is invisible to it.
 *
 * Why bumping after completion is enough: a write is visible to others from its commit (or, outside
 * a transaction, the statement's end) on, and the bump comes after that. A reader that noted the
 * value before the bump may have read either state, and its entry dies with the bump; one that
 * noted it after the bump started reading after the commit and saw the write.
 */
export interface WriteGeneration {
  readonly value: number;
}

interface Counter {
  value: number;
}

/** A statement that cannot change data (reads; `select … for update` only locks). */
function isRead(sql: string): boolean {
  let i = 0;
  while (i < sql.length && (sql[i] === " " || sql[i] === "\n" || sql[i] === "(" || sql[i] === "\t")) i++;
  return sql.slice(i, i + 7).toLowerCase() === "select ";
}

const DML = /^\s*(insert|update|delete|replace)\b/i;

/**
 * Whether a finished statement may have changed data. DML that reports no affected row changed
 * nothing (the job queue's claim polls that way every half second); everything else that is not a
 * read — DDL, pragmas, `with … update`, commit, rollback — counts as a change.
 */
function changed(sql: string, result: QueryResult<unknown> | undefined): boolean {
  if (isRead(sql)) return false;
  if (!result || !DML.test(sql)) return true;
  // SQLite: statements with RETURNING report their rows only; PostgreSQL: rowCount
  const affected = result.numAffectedRows ?? BigInt(result.rows.length);
  return affected > 0n;
}

function trackConnection(connection: DatabaseConnection, counter: Counter): DatabaseConnection {
  return {
    async executeQuery<R>(
      compiledQuery: CompiledQuery,
      options?: AbortableOperationOptions,
    ): Promise<QueryResult<R>> {
      let result: QueryResult<R> | undefined;
      try {
        result = await connection.executeQuery<R>(compiledQuery, options);
        return result;
      } finally {
        // on failure too: a statement that failed half-way may still have written (in autocommit)
        if (changed(compiledQuery.sql, result)) counter.value++;
      }
    },
    async *streamQuery<R>(
      compiledQuery: CompiledQuery,
      chunkSize: number,
      options?: AbortableOperationOptions,
    ) {
      try {
        yield* connection.streamQuery<R>(compiledQuery, chunkSize, options);
      } finally {
        if (!isRead(compiledQuery.sql)) counter.value++;
      }
    },
  };
}

class TrackingDriver implements Driver {
  readonly #inner: Driver;
  readonly #counter: Counter;
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  readonly #unwrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, counter: Counter) {
    this.#inner = inner;
    this.#counter = counter;
  }

  /** both of our dialects' drivers have savepoints; a driver without them must not seem to */
  #savepoints(): Required<Pick<Driver, "savepoint" | "rollbackToSavepoint" | "releaseSavepoint">> {
    const { savepoint, rollbackToSavepoint, releaseSavepoint } = this.#inner;
    if (!savepoint || !rollbackToSavepoint || !releaseSavepoint)
      throw new Error("the driver has no savepoints");
    return {
      savepoint: savepoint.bind(this.#inner),
      rollbackToSavepoint: rollbackToSavepoint.bind(this.#inner),
      releaseSavepoint: releaseSavepoint.bind(this.#inner),
    };
  }

  #inside(connection: DatabaseConnection): DatabaseConnection {
    return this.#unwrapped.get(connection) ?? connection;
  }

  init(options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.init(options);
  }

  async acquireConnection(options?: AbortableOperationOptions): Promise<DatabaseConnection> {
    const inner = await this.#inner.acquireConnection(options);
    let outer = this.#wrapped.get(inner);
    if (!outer) {
      outer = trackConnection(inner, this.#counter);
      this.#wrapped.set(inner, outer);
      this.#unwrapped.set(outer, inner);
    }
    return outer;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(this.#inside(connection), settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.commitTransaction(this.#inside(connection));
    } finally {
      this.#counter.value++;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.rollbackTransaction(this.#inside(connection));
    } finally {
      this.#counter.value++;
    }
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.#savepoints().savepoint(this.#inside(connection), name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    try {
      await this.#savepoints().rollbackToSavepoint(this.#inside(connection), name, compile);
    } finally {
      this.#counter.value++;
    }
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.#savepoints().releaseSavepoint(this.#inside(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection, options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.releaseConnection(this.#inside(connection), options);
  }

  destroy(options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.destroy(options);
  }
}

/** `dialect` with every statement counted into the returned generation (see WriteGeneration). */
export function trackWrites(dialect: Dialect): { dialect: Dialect; writes: WriteGeneration } {
  const counter: Counter = { value: 0 };
  const tracked: Dialect = {
    createDriver: () => new TrackingDriver(dialect.createDriver(), counter),
    createQueryCompiler: (): QueryCompiler => dialect.createQueryCompiler(),
    createAdapter: (): DialectAdapter => dialect.createAdapter(),
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => dialect.createIntrospector(db),
  };
  return { dialect: tracked, writes: counter };
}
