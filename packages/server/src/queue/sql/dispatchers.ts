// Which dispatchers are alive: each beats every few seconds, and reads who else did. They use
// it to split each webhook's concurrency between them, so the limit holds for all together.
import type { Kysely } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';
import { lazily } from './lazy-commit.js';

export interface Beat {
  id: string;
  startedAt: number;
  now: number;
  /** Heartbeats older than this are of dispatchers that are gone. */
  liveAfter: number;
}

/** Records our heartbeat; answers the ids of every live dispatcher (ours included), sorted. */
export async function heartbeat(
  db: Kysely<Database>,
  profile: DialectProfile,
  b: Beat,
): Promise<string[]> {
  // Lazily committed: a heartbeat lost in a crash is simply the next one's job.
  const rows = await lazily(db, profile, async (trx) => {
    await trx
      .insertInto('dispatchers')
      .values({ id: b.id, started_at: b.startedAt, heartbeat_at: b.now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: b.now }))
      .execute();
    // Long gone: kept no longer than it takes to be sure.
    await trx
      .deleteFrom('dispatchers')
      .where('heartbeat_at', '<', b.liveAfter - (b.now - b.liveAfter) * 10)
      .execute();
    return trx
      .selectFrom('dispatchers')
      .select('id')
      .where('heartbeat_at', '>=', b.liveAfter)
      .orderBy('id')
      .execute();
  });
  const ids = rows.map((r) => r.id);
  if (!ids.includes(b.id)) ids.push(b.id);
  return ids.sort();
}

/** A dispatcher that stops leaves at once, so the others take over its share now. */
export async function leave(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('dispatchers').where('id', '=', id).execute();
}
