// Resend and recover: finished deliveries go back to the queue with a fresh retry cycle and
// the same id (the webhook-id header), but a new sequence — a receiver that drops triggers
// older than what it has seen must not drop the one it was explicitly sent again — and in
// line behind what is still open about the same resource.
import type { Kysely } from 'kysely';
import type { Database, DeliveryStatus } from '../../db/schema.js';
import { FINAL, nextSequences, openDeliveries } from './resource-order.js';

export type RequeueWhere = { id: string } | { since: number; until: number | undefined };

/** What may be sent again by hand: anything final. */
const RESENDABLE = FINAL;
/** What "recover" sends again: what never arrived, except what a delete made unnecessary. */
const RECOVERABLE: readonly DeliveryStatus[] = ['failed', 'expired'];

export async function requeue(
  trx: Kysely<Database>,
  webhookId: string,
  where: RequeueWhere,
  now: number,
): Promise<{ requeued: number; due: number }> {
  const webhook = await trx
    .selectFrom('webhooks')
    .select('ordering')
    .where('id', '=', webhookId)
    .executeTakeFirst();
  if (!webhook) return { requeued: 0, due: 0 };
  let q = trx
    .selectFrom('deliveries')
    .select(['id', 'resource_type', 'resource_id'])
    .where('webhook_id', '=', webhookId)
    .where('is_test', '=', 0);
  if ('id' in where) {
    q = q.where('id', '=', where.id).where('status', 'in', RESENDABLE);
  } else {
    q = q.where('status', 'in', RECOVERABLE).where('created_at', '>=', where.since);
    if (where.until !== undefined) q = q.where('created_at', '<=', where.until);
  }
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  let requeued = 0;
  let due = 0;
  for (const d of rows) {
    const sequence = (await nextSequences(trx, [webhookId], d.resource_type, d.resource_id)).get(
      webhookId,
    )!;
    const behind =
      webhook.ordering === 'per_resource' &&
      (await openDeliveries(trx, [webhookId], d.resource_type, d.resource_id)).length > 0;
    const result = await trx
      .updateTable('deliveries')
      .set({
        status: behind ? 'blocked' : 'pending',
        tries: 0,
        next_attempt_at: now,
        leased_by: null,
        sequence,
        superseded_by: null,
      })
      .where('id', '=', d.id)
      .where('status', 'in', RESENDABLE)
      .executeTakeFirst();
    const n = Number(result.numUpdatedRows);
    requeued += n;
    if (!behind) due += n;
  }
  return { requeued, due };
}
