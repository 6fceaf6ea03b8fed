// "Retry now": a delivery waiting for its next retry (pending, tried at least once, not being
// sent) is due now instead of at its scheduled time. Nothing else changes — not its place in
// its resource's line (a pending delivery is already its line's head, so it can't overtake an
// older one), nor its retry count: if it fails again, the schedule goes on where it was.
import { type Kysely, sql } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';

/** One delivery, every one of the webhook, or those created in a window (recover). */
export type RetryWhere = { id: string } | 'all' | { since: number; until: number | undefined };

export async function retryNow(
  trx: Kysely<Database>,
  profile: DialectProfile,
  webhookId: string,
  where: RetryWhere,
  now: number,
): Promise<number> {
  // The webhook's row first (the queue's lock order: see complete.ts).
  if (profile.rowLocks)
    await sql`select 1 from webhooks where id = ${webhookId} for no key update`.execute(trx);
  let q = trx
    .updateTable('deliveries')
    .set({ next_attempt_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'pending')
    .where('attempt_count', '>', 0)
    .where('is_test', '=', 0)
    .where('leased_by', 'is', null)
    .where('next_attempt_at', '>', now);
  if (where !== 'all' && 'id' in where) q = q.where('id', '=', where.id);
  if (where !== 'all' && 'since' in where) {
    q = q.where('created_at', '>=', where.since);
    if (where.until !== undefined) q = q.where('created_at', '<=', where.until);
  }
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
