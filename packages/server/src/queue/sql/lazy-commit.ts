// The dispatcher's bookkeeping commits without waiting for the disk (see DialectProfile
// lazyCommit): on this kind of machine an fsync costs ~4 ms, more than the work it records,
// and on SQLite it blocks the event loop. A lost lease or outcome only means a delivery is
// sent again, which at-least-once allows.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';

/** Runs `work` in one transaction on one connection, committed lazily. */
export async function lazily<T>(
  db: Kysely<Database>,
  profile: DialectProfile,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const { before, inside, after } = profile.lazyCommit;
  // One connection throughout, so the setting never leaks to another caller's commit
  // (SQLite's single connection is held; no API transaction can run in between).
  return db.connection().execute(async (conn) => {
    for (const statement of before) await sql.raw(statement).execute(conn);
    try {
      return await conn.transaction().execute(async (trx) => {
        for (const statement of inside) await sql.raw(statement).execute(trx);
        return work(trx);
      });
    } finally {
      for (const statement of after) await sql.raw(statement).execute(conn);
    }
  });
}
