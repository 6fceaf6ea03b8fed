import type { Kysely } from 'kysely';
import { hotQuery } from '../../db/hot-query.js';
import type { Database } from '../../db/schema.js';

// Asked each time the claim loop goes idle: built once (db/hot-query.ts), not per call.
const earliest = hotQuery((db) =>
  db
    .selectFrom('deliveries')
    .select('next_attempt_at')
    .where('status', '=', 'pending')
    .orderBy('next_attempt_at')
    .limit(1),
);
const earliestAfter = hotQuery((db, p: { after: number }) =>
  db
    .selectFrom('deliveries')
    .select('next_attempt_at')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', p.after)
    .orderBy('next_attempt_at')
    .limit(1),
);

/**
 * When the earliest pending delivery falls due (an index lookup on deliveries_due). With
 * `after`, the earliest strictly after it: a dispatcher whose due work all belongs to
 * webhooks at their limit asks when something else falls due, still one index lookup.
 */
export async function nextDueAt(db: Kysely<Database>, after?: number): Promise<number | undefined> {
  const rows =
    after === undefined
      ? await earliest.execute(db, {})
      : await earliestAfter.execute(db, { after });
  return rows[0]?.next_attempt_at;
}
