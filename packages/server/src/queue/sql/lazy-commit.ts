// The dispatcher's bookkeeping commits without waiting for the disk (see DialectProfile
// lazyCommit): on this kind of machine an fsync costs ~4 ms, more than the work it records,
// and on SQLite it blocks the event loop. A lost lease or outcome only means a delivery is
// sent again, which at-least-once allows.
import type { Kysely, Transaction } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';

/** Runs `work` in one transaction on one connection, committed lazily. */
export function lazily<T>(
  db: Kysely<Database>,
  profile: DialectProfile,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return profile.lazyCommit.transaction(db, work);
}
