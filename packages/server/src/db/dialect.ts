// The one place that knows SQLite and PostgreSQL apart. Everything else asks the profile,
// which describes the differences as data (pg-boss's BACKEND_PROFILES idea), and never
// branches on the dialect name itself.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type Dialect,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { preparingPool } from './pg-prepared.js';
import type { Database } from './schema.js';
import { type GroupCommitStats, SqliteGroupCommitDriver } from './sqlite-group-commit-driver.js';

export type DialectName = 'sqlite' | 'postgres';

export const WAKE_CHANNEL = 'tablehooks_wake';

export interface DialectProfile {
  name: DialectName;
  /** Cross-process wake-ups through LISTEN/NOTIFY; SQLite has one process, so in-process. */
  listenNotify: boolean;
  /**
   * A pool of connections: a dispatcher beside the API is worth a pool of its own (its claims
   * and outcomes then never queue behind API transactions). SQLite has one connection by
   * nature; there transactions are short and group-committed instead.
   */
  pooled: boolean;
  /**
   * Row locks (SELECT … FOR UPDATE) order concurrent writers; SQLite has one writer at a time
   * and no such clause.
   */
  rowLocks: boolean;
  /** Appended to the claim's inner select: lets dispatchers on other machines skip rows being claimed. */
  lockClause: string;
  /** Run inside a transaction that created due deliveries: wakes every dispatcher on commit. */
  wakeStatement: string | undefined;
  /** The same as an expression, to ride along in a statement the transaction runs anyway. */
  wakeCall: string | undefined;
  /**
   * INSERT … RETURNING may sit in a WITH clause, so two steps that follow each other can be
   * one statement (one round trip instead of two). SQLite allows only SELECTs there.
   */
  writableCte: boolean;
  /**
   * An UPDATE … FROM may RETURN the joined rows' columns (PostgreSQL): the claim hands back
   * each row's due time from before its lease in the same statement. SQLite's RETURNING sees
   * only the updated table, after the update.
   */
  returningFromJoin: boolean;
  /**
   * Lets a dispatcher's own bookkeeping (a claim's lease, recorded outcomes) commit without
   * waiting for the disk. A machine crash can lose the last moments of it, and the deliveries
   * concerned are then sent again, which at-least-once allows; a later durable commit (any
   * API write) flushes it too. API writes never use this: their 2xx means on disk.
   */
  lazyCommit: {
    /** Runs `work` in one transaction on `db` (a Kysely of this store), committed lazily. */
    transaction<T>(
      db: Kysely<Database>,
      work: (trx: Transaction<Database>) => Promise<T>,
    ): Promise<T>;
    /**
     * Worth it for a single statement (a claim) too. On SQLite a commit blocks the process,
     * so an fsync saved is time saved for every request and delivery. On PostgreSQL an
     * explicit transaction's three extra round trips cost more than they save (measured:
     * docs/performance.md); a dispatcher's own pool is lazy for the whole session, so its
     * claim, one statement, is lazy as it stands.
     */
    oneStatement: boolean;
  };
}

/** SQLite's profile for one store: its lazy commit is a method of that store's driver. */
const sqliteProfile = (driver: SqliteGroupCommitDriver): DialectProfile => ({
  name: 'sqlite',
  pooled: false,
  // One writer at a time already: SQLite serialises the claim.
  rowLocks: false,
  lockClause: '',
  listenNotify: false,
  // One process: the in-process wake-up after commit is enough.
  wakeStatement: undefined,
  wakeCall: undefined,
  writableCte: false,
  returningFromJoin: false,
  // WAL with synchronous=NORMAL: no fsync at this commit; the next FULL commit syncs it too.
  // The group-commit driver (sqlite-group-commit-driver.ts) makes this one use lazy, not the
  // connection: the bookkeeping joins an open group without waiting for its fsync, or
  // commits in a lazy group of its own.
  lazyCommit: {
    transaction: (db, work) => driver.lazyTransaction(db, work),
    oneStatement: true,
  },
});

const postgresProfile = (lazy: boolean): DialectProfile => ({
  name: 'postgres',
  pooled: true,
  rowLocks: true,
  lockClause: 'for update skip locked',
  listenNotify: true,
  // NOTIFY inside a transaction is delivered at commit, and never if it rolls back.
  wakeStatement: `select pg_notify('${WAKE_CHANNEL}', '')`,
  wakeCall: `pg_notify('${WAKE_CHANNEL}', '')`,
  writableCte: true,
  returningFromJoin: true,
  // An asynchronous commit: visible at once, on disk within ~3 × wal_writer_delay. A lazy
  // store's connections are that way for their whole session (OpenOptions.lazyCommit), so a
  // claim is one statement that does not wait for the disk either. On another store `set
  // local` lasts until the transaction ends, so the connection goes back to the pool durable.
  lazyCommit: {
    transaction: lazy
      ? (db, work) => db.transaction().execute(work)
      : (db, work) =>
          db.transaction().execute(async (trx) => {
            await sql`set local synchronous_commit = off`.execute(trx);
            return work(trx);
          }),
    oneStatement: false,
  },
});

export interface Store {
  db: Kysely<Database>;
  profile: DialectProfile;
  /** Where the data lives, for log lines: a file path or a host/database (no password). */
  location: string;
  /** Resolves once the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** SQLite's group-commit counters (fsyncs and what shared them), e.g. for /metrics. */
  commitStats?: () => GroupCommitStats;
  close(): Promise<void>;
}

// int8 (bigint) comes back as a string by default; our bigints are ids and epoch
// milliseconds, all far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

export interface OpenOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** SQLite file name inside dataDir (tests use throw-away files). */
  sqliteFile?: string;
  /** Told of a pooled connection that died (it is replaced; nothing else needs doing). */
  logger?: Pick<Logger, 'warn'>;
  /**
   * PostgreSQL: every commit on this store is lazy (`synchronous_commit = off` for the
   * session). Only for a dispatcher's own pool, which records nothing that a 2xx promised:
   * what a crash loses of it is a lease or an outcome, and the delivery is sent again.
   */
  lazyCommit?: boolean;
}

/** The embedded database's file in a data folder. */
export const embeddedDatabaseFile = (dataDir: string): string => join(dataDir, 'tablehooks.sqlite');

/**
 * The embedded database file these settings would open, as an absolute path, when it does
 * not exist yet; undefined when it does, or when they name a database server.
 */
export function missingEmbeddedDatabase(
  options: Pick<OpenOptions, 'databaseUrl' | 'dataDir'>,
): string | undefined {
  if (options.databaseUrl) return undefined;
  const file = resolve(embeddedDatabaseFile(options.dataDir));
  return existsSync(file) ? undefined : file;
}

/** Where a store's data lives, for people: a SQLite file's absolute path, or the server's host/database. */
export function absoluteLocation(store: Pick<Store, 'profile' | 'location'>): string {
  return store.profile.name === 'sqlite' ? resolve(store.location) : store.location;
}

export function openStore(options: OpenOptions): Store {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.logger, options.lazyCommit)
    : openSqlite(options);
}

/**
 * The data folder and the database owner-only, as secret.key is: they hold every booking's
 * guest data, hashed keys and sealed webhook passwords. SQLite gives its -wal and -shm files
 * the database file's own mode, so the file is made (or tightened) 0600 before SQLite opens it.
 */
function ownerOnlyFiles(dataDir: string, file: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

function openSqlite(options: OpenOptions): Store {
  const file = options.sqliteFile
    ? join(options.dataDir, options.sqliteFile)
    : embeddedDatabaseFile(options.dataDir);
  ownerOnlyFiles(options.dataDir, file);
  const database = new SqliteDatabase(file);
  // WAL lets readers (the CLI, a second process) run beside the writer; synchronous=FULL
  // makes a COMMIT durable. The API answers 2xx only once the group commit that holds its
  // transaction is done (docs/design.md, "Storage, scale and durability"): many transactions, one fsync, the same
  // promise. The write lock lasts one group, so other processes wait at most busy_timeout.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Each transaction of a group is a savepoint, and a savepoint journals the pages it changes
  // in a statement journal, a temporary file past 64 KiB: at 1,000 bookings/s that was ~8,000
  // writes a second to unlinked files in /var/tmp from the main thread, as many as to the WAL
  // (strace; docs/performance.md, seventh pass). In memory they cost a copy. The biggest is one
  // group's changed pages (a few MB); nothing here sorts more than fits in memory either.
  database.pragma('temp_store = MEMORY');
  const driver = new SqliteGroupCommitDriver(database);
  const dialect: Dialect = {
    createDriver: () => driver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    profile: sqliteProfile(driver),
    location: file,
    ping: () => ping(db),
    commitStats: () => driver.stats(),
    close: () => db.destroy(),
  };
}

function openPostgres(
  url: string,
  poolSize: number,
  logger?: Pick<Logger, 'warn'>,
  lazy = false,
): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Set on connect, not through the URL's `options=` (which a user's DATABASE_URL may have
  // for other settings): pg runs this before the connection's first query.
  // If it fails the connection stays durable (slower, not wrong), and is likely dead anyway.
  if (lazy) {
    pool.on('connect', (client) => {
      client
        .query('set synchronous_commit = off')
        .catch((err: unknown) =>
          logger?.warn({ err }, 'a lazy database connection stayed durable'),
        );
    });
  }
  // A dropped connection (database restart) must not crash the process; the pool
  // replaces it and /readyz reports the outage meanwhile. Logged, not thrown.
  pool.on('error', (err) => logger?.warn({ err }, 'an idle database connection failed'));
  // …and so must one that dies while checked out (e.g. between two statements): pg emits
  // 'error' on the client itself, which has no listener then, and Node would exit. The
  // statement in flight fails on its own (and is logged where it fails), and the pool drops
  // the dead client on release.
  pool.on('connect', (client) =>
    client.on('error', (err) => logger?.warn({ err }, 'a database connection in use failed')),
  );
  // Hot queries run as named prepared statements (pg-prepared.ts).
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  const parsed = new URL(url);
  return {
    db,
    profile: postgresProfile(lazy),
    // A Unix socket (postgres:///db?host=/var/run/postgresql) has its folder in `host=`.
    location: `${parsed.searchParams.get('host') ?? parsed.host}${parsed.pathname}`,
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}
