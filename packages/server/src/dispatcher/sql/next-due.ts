import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** When the earliest pending delivery falls due (an index lookup on deliveries_due). */
export async function nextDueAt(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .select('next_attempt_at')
    .where('status', '=', 'pending')
    .orderBy('next_attempt_at')
    .limit(1)
    .executeTakeFirst();
  return row?.next_attempt_at;
}
