import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * When the earliest pending delivery falls due (an index lookup on deliveries_due). With
 * `after`, the earliest strictly after it: a dispatcher whose due work all belongs to
 * webhooks at their limit asks when something else falls due, still one index lookup.
 */
export async function nextDueAt(db: Kysely<Database>, after?: number): Promise<number | undefined> {
  let query = db
    .selectFrom('deliveries')
    .select('next_attempt_at')
    .where('status', '=', 'pending')
    .orderBy('next_attempt_at')
    .limit(1);
  if (after !== undefined) query = query.where('next_attempt_at', '>', after);
  const row = await query.executeTakeFirst();
  return row?.next_attempt_at;
}
