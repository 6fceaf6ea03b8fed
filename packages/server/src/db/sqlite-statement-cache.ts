// better-sqlite3 parses a statement on every prepare(), and Kysely's own SqliteDriver
// prepares every query again: 8–10% of the dispatcher's CPU (docs/performance.md). The
// queries are built from a few dozen shapes, so their SQL texts repeat and a small cache
// holds them all. It is bounded because some texts vary with their input (an `in (…)` list,
// a batch of N rows); those would otherwise grow it without end.
import type { Database, Statement } from 'better-sqlite3';

/**
 * Longer texts are prepared each time and not kept: they are the large batches (a
 * 256-row VALUES list is ~10 KB of SQL and a program to match), whose parse is spread over
 * hundreds of rows anyway, while 500 of them held at once added ~40 MB to the dispatcher.
 */
const MAX_CACHED_SQL = 4_096;

export class StatementCache {
  // A Map iterates in insertion order; re-inserting on a hit keeps the least recently used
  // first, so eviction drops the texts that stopped coming, not the hot ones.
  readonly #statements = new Map<string, Statement>();

  constructor(
    private readonly database: Database,
    private readonly capacity = 500,
  ) {}

  get(sql: string): Statement {
    const cached = this.#statements.get(sql);
    if (cached) {
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = this.database.prepare(sql);
    if (sql.length > MAX_CACHED_SQL) return statement;
    if (this.#statements.size >= this.capacity) {
      // An evicted statement is finalised by the garbage collector; nothing else holds it.
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  get size(): number {
    return this.#statements.size;
  }
}
