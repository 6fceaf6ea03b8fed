import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export type RequeueWhere = { id: string } | { since: number; until: number | undefined };

/** A finished delivery goes back to the queue with a fresh retry cycle and the same id. */
export async function requeue(
  db: Kysely<Database>,
  webhookId: string,
  where: RequeueWhere,
  now: number,
): Promise<number> {
  let q = db
    .updateTable('deliveries')
    .set({ status: 'pending', tries: 0, next_attempt_at: now, leased_by: null })
    .where('webhook_id', '=', webhookId);
  if ('id' in where) {
    q = q.where('id', '=', where.id).where('status', 'in', ['succeeded', 'failed']);
  } else {
    q = q.where('status', '=', 'failed').where('created_at', '>=', where.since);
    if (where.until !== undefined) q = q.where('created_at', '<=', where.until);
  }
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
