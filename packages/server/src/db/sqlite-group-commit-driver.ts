// Group commit for SQLite (docs/design.md, "Storage, scale and durability": a 2xx means on
// disk, and group commit keeps that promise). With synchronous=FULL every COMMIT waits for an
// fsync, and better-sqlite3 blocks the whole process meanwhile, so one commit per API
// transaction capped bookings far below the goal (docs/performance.md, "Group commit on
// SQLite"). Here many Kysely transactions share one outer transaction and one fsync:
//
// - The first write opens a group: `BEGIN IMMEDIATE` (the write lock, taken up front so a
//   later write can't fail with SQLITE_BUSY halfway through a group).
// - A Kysely transaction is a SAVEPOINT inside it; its commit is RELEASE, its rollback
//   `ROLLBACK TO` + RELEASE, which undoes that transaction only. A lone write outside a
//   transaction joins as it is: SQLite undoes a failed statement by itself.
// - Kysely awaits acquire → begin → callback → commit → release in that order, so waiting
//   for the disk in commitTransaction would keep the connection and make every group one
//   transaction long. Instead each acquire gets its own handle that records that this use
//   owes durability, and releaseConnection first passes the connection on, then waits for
//   the group's COMMIT. Reads owe nothing and don't wait.
// - The group commits when the connection is idle (checked with setImmediate, so work that
//   arrives in the same turn joins), or once it is MAX_GROUP_AGE_MS old or MAX_GROUP_MEMBERS
//   large, so a steady load can't postpone it for ever. The COMMIT takes the connection
//   like anyone else (at the front of the queue).
// - If the COMMIT fails (IO error, disk full, a deferred constraint), or a statement error
//   makes SQLite roll the whole transaction back, every waiter of that group fails: their
//   requests answer 5xx, and nothing that was acknowledged is lost.
// - The dispatcher's bookkeeping asks for a lazy commit (DialectProfile.lazyCommit, which
//   calls lazyTransaction here). A connection-wide setting can't work (SQLite refuses to
//   change it inside the group's transaction, and it would apply to everyone in the group),
//   so lazyTransaction marks the use that holds the connection instead, before its
//   transaction begins. A lazy use joins an open group and doesn't wait for it; if there is
//   none it opens a lazy group, begun under synchronous=NORMAL, whose COMMIT costs no fsync
//   (WAL: the next FULL commit syncs it too). A durable write that finds a lazy group open
//   first commits it (cheap, no fsync) and opens a FULL one. Every other use is durable: the
//   mark lasts one use. Making every claim wait for an fsync instead halved the one-webhook
//   drain (docs/performance.md).
// - The write lock lasts one group (a few ms at most, plus the transactions in it), so the
//   CLI or a second process on the same file still gets its turn through busy_timeout.
//
// Reads inside an open group see its uncommitted writes (one connection): a GET may show a
// booking whose creator has not had the 201 yet. A crash then loses a row nobody was told
// was stored, as with any commit in flight.
//
// `db.startTransaction()` (Kysely's controlled transaction) does not await the driver's
// releaseConnection, so its commit() resolves once the transaction is in the group, before
// the COMMIT: it gives no durability promise. Nothing on the API path uses it; use
// `db.transaction().execute()` for anything acknowledged.
import type { Database } from 'better-sqlite3';
import {
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  IdentifierNode,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  RawNode,
  SelectQueryNode,
  type Transaction,
  type TransactionSettings,
} from 'kysely';
import { ConnectionMutex } from './sqlite-connection-mutex.js';
import { StatementCache } from './sqlite-statement-cache.js';

/** Short enough that a request waits little more than one fsync for it. */
const MAX_GROUP_AGE_MS = 4;
/** Bounds the work one failed COMMIT can take down, and the write lock's duration. */
const MAX_GROUP_MEMBERS = 256;
/** The savepoint that stands for one Kysely transaction; one at a time, so one name. */
const TX = 'tablehooks_tx';

export interface GroupCommitStats {
  /** Durable groups committed: one fsync each. */
  commits: number;
  /** Lazy groups committed (bookkeeping only, synchronous=NORMAL): no fsync. */
  lazyCommits: number;
  /** Transactions and lone writes that joined a committed group. */
  members: number;
  /** Groups whose waiters were failed (COMMIT error, or SQLite rolled back everything). */
  failedGroups: number;
}

class Group {
  readonly openedAt = performance.now();
  members = 0;
  committing = false;
  readonly durable: Promise<void>;
  resolve!: () => void;
  reject!: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;

  /** `lazy`: begun under synchronous=NORMAL; only lazy uses join it, its COMMIT isn't synced. */
  constructor(readonly lazy: boolean) {
    this.durable = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Waiters are attached on release; a group that fails before anyone waits on it must
    // not count as an unhandled rejection.
    this.durable.catch(() => {});
  }
}

/** One turn on the connection: what this use owes is its own, not the next caller's. */
class GroupConnection implements DatabaseConnection {
  /** The group whose COMMIT must be on disk before this use may be released. */
  owes: Group | undefined;
  inTransaction = false;
  /** This use is a lazyTransaction: it joins groups but never waits for the disk. */
  lazy = false;
  /** Whether the current transaction wrote anything (a read-only one waits for nothing). */
  wrote = false;
  /** Set when SQLite rolled back the group under this use: it must not go on writing. */
  broken: Error | undefined;

  constructor(private readonly driver: SqliteGroupCommitDriver) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return Promise.resolve(this.driver.execute<R>(this, compiledQuery));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    return this.driver.stream<R>(this, compiledQuery);
  }
}

export class SqliteGroupCommitDriver implements Driver {
  readonly #database: Database;
  readonly #statements: StatementCache;
  readonly #mutex = new ConnectionMutex();
  #group: Group | undefined;
  /** The use that holds the connection (the COMMIT of a group holds it as no use). */
  #holder: GroupConnection | undefined;
  #checkScheduled = false;
  readonly #stats: GroupCommitStats = { commits: 0, lazyCommits: 0, members: 0, failedGroups: 0 };
  /** The connection's synchronous level; changed only between groups. */
  #synchronous: 'normal' | 'full';

  constructor(database: Database) {
    this.#database = database;
    this.#statements = new StatementCache(database);
    this.#synchronous = database.pragma('synchronous', { simple: true }) === 1 ? 'normal' : 'full';
  }

  stats(): GroupCommitStats {
    return { ...this.#stats };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    this.#holder = new GroupConnection(this);
    return this.#holder;
  }

  /**
   * Runs `work` in one transaction whose commit doesn't wait for the disk (the dispatcher's
   * bookkeeping). `db` must be a Kysely on this driver.
   */
  lazyTransaction<DB, T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return db.connection().execute((conn) => {
      // The connection is held until this callback ends, so its holder is this use; marked
      // before the transaction begins, because that is when its group is chosen.
      const holder = this.#holder;
      if (!holder) throw new Error('lazyTransaction was given a Kysely on another driver');
      holder.lazy = true;
      return conn.transaction().execute(work);
    });
  }

  async beginTransaction(
    connection: DatabaseConnection,
    _settings: TransactionSettings,
  ): Promise<void> {
    const conn = connection as GroupConnection;
    if (conn.broken) throw conn.broken;
    this.#join(conn, () => this.#run(`savepoint ${TX}`));
    conn.inTransaction = true;
    conn.wrote = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as GroupConnection;
    if (conn.broken) throw conn.broken;
    this.#join(conn, () => this.#run(`release ${TX}`));
    conn.inTransaction = false;
    const group = this.#group;
    if (conn.wrote && group) {
      group.members++;
      if (!conn.lazy) conn.owes = group;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as GroupConnection;
    // SQLite already rolled back everything, savepoint included; the group has failed.
    if (conn.broken) {
      conn.inTransaction = false;
      return;
    }
    this.#join(conn, () => {
      this.#run(`rollback to ${TX}`);
      this.#run(`release ${TX}`);
    });
    conn.inTransaction = false;
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#savepointCommand(connection, 'savepoint', name, compileQuery);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#savepointCommand(connection, 'rollback to', name, compileQuery);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#savepointCommand(connection, 'release', name, compileQuery);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const conn = connection as GroupConnection;
    const { owes, broken } = conn;
    conn.owes = undefined;
    if (this.#holder === conn) this.#holder = undefined;
    // Pass the connection on before waiting for the disk: the next transactions join the
    // same group and share its fsync.
    this.#mutex.unlock();
    this.#scheduleCheck();
    if (owes) await owes.durable;
    else if (broken) throw broken;
  }

  async destroy(): Promise<void> {
    // Whatever joined a group before the end is committed, not dropped with the connection.
    await this.#mutex.lock();
    const group = this.#group;
    if (group) this.#commitLocked(group);
    this.#database.close();
  }

  /** Runs one query for `conn`: the statement cache, the group, and Kysely's result shape. */
  execute<R>(conn: GroupConnection, { sql, parameters }: CompiledQuery): QueryResult<R> {
    if (conn.broken) throw conn.broken;
    const stmt = this.#statements.get(sql);
    if (stmt.readonly) return this.#runStatement(conn, stmt, parameters);
    const result = this.#join(conn, () => this.#runStatement<R>(conn, stmt, parameters));
    if (conn.inTransaction) conn.wrote = true;
    else if (this.#group) {
      this.#group.members++;
      if (!conn.lazy) conn.owes = this.#group;
    }
    return result;
  }

  async *stream<R>(
    conn: GroupConnection,
    { sql, parameters, query }: CompiledQuery,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (conn.broken) throw conn.broken;
    if (!SelectQueryNode.is(query)) {
      throw new Error('Sqlite driver only supports streaming of select queries');
    }
    // Not from the cache: an iterating statement is busy until the caller stops reading,
    // and the same SQL text may run meanwhile.
    const stmt = this.#database.prepare(sql);
    for (const row of stmt.iterate(parameters as unknown[])) {
      yield { rows: [row as R] };
    }
  }

  #runStatement<R>(
    conn: GroupConnection,
    stmt: ReturnType<Database['prepare']>,
    parameters: readonly unknown[],
  ): QueryResult<R> {
    try {
      // As Kysely's SqliteDriver: a statement that returns rows (a select, or a write with
      // `returning`) is read with all(), any other is run.
      if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return {
        numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
        insertId:
          lastInsertRowid !== undefined && lastInsertRowid !== null
            ? BigInt(lastInsertRowid)
            : undefined,
        rows: [],
      };
    } catch (error) {
      this.#afterError(conn, error);
      throw error;
    }
  }

  /** Runs `work` inside an open group that suits `conn`, opening one first if needed. */
  #join<T>(conn: GroupConnection, work: () => T): T {
    const open = this.#group;
    // A durable write can't ride on a COMMIT that isn't synced. The connection is ours and
    // outside any transaction (a transaction's group was chosen at its begin), so the lazy
    // group can end here, at no fsync.
    if (open?.lazy && !conn.lazy && !conn.inTransaction) this.#commitLocked(open);
    if (!this.#group) this.#open(conn.lazy);
    try {
      return work();
    } catch (error) {
      this.#afterError(conn, error);
      throw error;
    }
  }

  #open(lazy: boolean): void {
    const level = lazy ? 'normal' : 'full';
    if (this.#synchronous !== level) {
      this.#run(`pragma synchronous = ${level}`);
      this.#synchronous = level;
    }
    this.#run('begin immediate');
    const group = new Group(lazy);
    this.#group = group;
    // A holder that keeps the connection for long gives no release to check on; this
    // bounds the group's age anyway (the COMMIT then waits for that holder, and no longer).
    group.timer = setTimeout(() => this.#check(), MAX_GROUP_AGE_MS);
  }

  #run(sql: string): void {
    this.#statements.get(sql).run();
  }

  async #savepointCommand(
    connection: DatabaseConnection,
    command: 'savepoint' | 'rollback to' | 'release',
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    // What Kysely's SqliteDriver sends (the identifier node quotes the name); it nests
    // inside our TX savepoint, so it only ever concerns part of one transaction.
    const node = RawNode.createWithChildren([
      RawNode.createWithSql(`${command} `),
      IdentifierNode.create(name),
    ]);
    await connection.executeQuery(compileQuery(node, createQueryId()));
  }

  /** After a failed statement: did SQLite roll back the whole group with it? */
  #afterError(conn: GroupConnection, error: unknown): void {
    const group = this.#group;
    if (!group || this.#database.inTransaction) return;
    this.#group = undefined;
    this.#fail(group, new Error('SQLite rolled back the group commit', { cause: error }));
    if (conn.inTransaction || conn.owes === group) conn.broken = error as Error;
  }

  #scheduleCheck(): void {
    if (!this.#group || this.#checkScheduled) return;
    this.#checkScheduled = true;
    setImmediate(() => {
      this.#checkScheduled = false;
      this.#check();
    });
  }

  #check(): void {
    const group = this.#group;
    if (!group || group.committing) return;
    const idle = !this.#mutex.locked;
    const due =
      idle ||
      performance.now() - group.openedAt >= MAX_GROUP_AGE_MS ||
      group.members >= MAX_GROUP_MEMBERS;
    // Not due: whoever holds the connection releases it later and checks again.
    if (!due) return;
    group.committing = true;
    void this.#mutex.lock(true).then(() => {
      try {
        if (this.#group === group) this.#commitLocked(group);
      } finally {
        this.#mutex.unlock();
      }
    });
  }

  /** COMMIT, with the connection held: one fsync for every member of the group. */
  #commitLocked(group: Group): void {
    this.#group = undefined;
    try {
      this.#run('commit');
    } catch (error) {
      // A failed COMMIT may leave the transaction open (a deferred constraint, SQLITE_BUSY):
      // end it, so the next group starts clean.
      if (this.#database.inTransaction) {
        try {
          this.#run('rollback');
        } catch {
          // Still failing: the next BEGIN reports it to its own caller.
        }
      }
      this.#fail(group, new Error('group commit failed', { cause: error }));
      return;
    }
    clearTimeout(group.timer);
    // A group of reads only (a read-only transaction opens one) wrote nothing to sync.
    if (group.lazy) this.#stats.lazyCommits++;
    else if (group.members > 0) this.#stats.commits++;
    this.#stats.members += group.members;
    group.resolve();
  }

  #fail(group: Group, error: Error): void {
    clearTimeout(group.timer);
    this.#stats.failedGroups++;
    group.reject(error);
  }
}
