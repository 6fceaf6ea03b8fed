import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * Gives back claimed deliveries this dispatcher will not send (it is stopping, their lease
 * is too short to start an attempt, or their receiver is failing): due now, for anyone.
 */
export async function release(
  db: Kysely<Database>,
  ids: string[],
  leasedBy: string,
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('deliveries')
    .set({ next_attempt_at: now, leased_by: null })
    .where('id', 'in', ids)
    .where('leased_by', '=', leasedBy)
    .where('status', '=', 'pending')
    .execute();
}
