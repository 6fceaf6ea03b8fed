// What retention deletes from the queue, in small batches of short statements so that the
// dispatcher's own writes never wait long behind them. Only finished work goes: a delivery that is pending
// (queued, retrying or being sent), blocked or paused is never touched, however old.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { FINAL, OPEN } from './resource-order.js';

export interface PruneOptions {
  /** Epoch ms: rows older than this go. */
  cutoff: number;
  batchSize: number;
  /** Called after each batch that deleted rows: the pause that lets other writers in. */
  breathe: () => Promise<void>;
  /** Checked between batches: a stopping process finishes its batch and returns. */
  stopped: () => boolean;
}

/**
 * Attempts started before the cutoff, except those of a delivery still queued (pending or
 * paused), whose history stays with it. Walks the primary key from the oldest row in windows
 * of batchSize (ids grow with time), so each batch is an index range plus a primary-key
 * lookup per row, never a table scan, and stops at the first window without an old row.
 */
export async function pruneAttempts(db: Kysely<Database>, o: PruneOptions): Promise<number> {
  let after = 0;
  let deleted = 0;
  while (!o.stopped()) {
    const window = await db
      .selectFrom('attempts')
      .select(['id', 'started_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(o.batchSize)
      .execute();
    const last = window.at(-1);
    if (!last) break;
    const old = window.filter((a) => a.started_at < o.cutoff).length;
    if (old === 0) break;
    const result = await db
      .deleteFrom('attempts')
      .where('id', '>', after)
      .where('id', '<=', last.id)
      .where('started_at', '<', o.cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('deliveries as d')
              .select('d.id')
              .whereRef('d.id', '=', 'attempts.delivery_id')
              .where('d.status', 'in', OPEN),
          ),
        ),
      )
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
    await o.breathe();
    if (window.length < o.batchSize) break;
    after = last.id;
  }
  return deleted;
}

/**
 * Finished deliveries (succeeded, failed, superseded, expired) created before the cutoff and not attempted since (a
 * resend keeps a delivery), with their remaining attempts (ON DELETE CASCADE). Webhook by
 * webhook, on the (webhook_id, created_at) index.
 */
export async function pruneDeliveries(db: Kysely<Database>, o: PruneOptions): Promise<number> {
  const webhooks = await db.selectFrom('webhooks').select('id').orderBy('id').execute();
  let deleted = 0;
  for (const { id: webhookId } of webhooks) {
    while (!o.stopped()) {
      const ids = (
        await db
          .selectFrom('deliveries')
          .select('id')
          .where('webhook_id', '=', webhookId)
          .where('created_at', '<', o.cutoff)
          .where('status', 'in', FINAL)
          .where((eb) =>
            eb.or([eb('last_attempt_at', 'is', null), eb('last_attempt_at', '<', o.cutoff)]),
          )
          .limit(o.batchSize)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) break;
      // The status again: a resend between the two statements puts a delivery back in the queue.
      const result = await db
        .deleteFrom('deliveries')
        .where('id', 'in', ids)
        .where('status', 'in', FINAL)
        .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      await o.breathe();
      if (ids.length < o.batchSize) break;
    }
  }
  return deleted;
}
