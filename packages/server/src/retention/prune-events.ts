// Outbox rows go by age alone: nothing reads an event after its fan-out.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { PruneOptions } from '../queue/sql/prune.js';

/**
 * Outbox rows created before the cutoff. Nothing reads an event after its fan-out (each
 * delivery carries its event, resource type and id), so a delivery still queued is not
 * affected by its event row going.
 */
export async function pruneEvents(db: Kysely<Database>, o: PruneOptions): Promise<number> {
  let deleted = 0;
  while (!o.stopped()) {
    const result = await db
      .deleteFrom('events')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('events')
          .select('id')
          .where('created_at', '<', o.cutoff)
          .orderBy('created_at')
          .limit(o.batchSize),
      )
      .executeTakeFirst();
    const n = Number(result.numDeletedRows);
    deleted += n;
    if (n === 0) break;
    await o.breathe();
    if (n < o.batchSize) break;
  }
  return deleted;
}
