// Record a batch of finished attempts in one transaction: the attempt rows, the deliveries'
// new state, and what the outcomes mean for their webhooks (failing since, auto-disable,
// 410 Gone). Writing in batches keeps the store's cost per delivery low.
import type { Insertable, Kysely } from 'kysely';
import type { AttemptsTable, Database } from '../../db/schema.js';
import { pauseWebhookDeliveries } from '../../deliveries/pause.js';
import type { DeliveryUpdate } from '../next-state.js';

export interface WebhookVerdict {
  webhookId: string;
  /** Any success in this batch clears the failing streak. */
  succeeded: boolean;
  /** The first failure's time in this batch, when none succeeded. */
  failedAt: number | undefined;
  /** The receiver answered 410 Gone. */
  gone: boolean;
}

export interface CompletionBatch {
  leasedBy: string;
  now: number;
  autoDisableAfterMs: number;
  attempts: Insertable<AttemptsTable>[];
  updates: DeliveryUpdate[];
  /** Deliveries whose webhook or facility turned inactive before they were sent. */
  paused: string[];
  verdicts: WebhookVerdict[];
}

export interface CompletionResult {
  disabled: { webhookId: string; reason: string }[];
}

export async function completeDeliveries(db: Kysely<Database>, batch: CompletionBatch): Promise<CompletionResult> {
  const disabled: CompletionResult['disabled'] = [];
  await db.transaction().execute(async (trx) => {
    if (batch.attempts.length > 0) {
      // A webhook deleted mid-attempt took its deliveries with it; their attempts have
      // nothing to belong to.
      const ids = [...new Set(batch.attempts.map((a) => a.delivery_id))];
      const alive = new Set(
        (await trx.selectFrom('deliveries').select('id').where('id', 'in', ids).execute()).map((r) => r.id),
      );
      const rows = batch.attempts.filter((a) => alive.has(a.delivery_id));
      if (rows.length > 0) await trx.insertInto('attempts').values(rows).execute();
    }
    for (const u of batch.updates) {
      // Only while our lease holds: if it lapsed and another dispatcher took the delivery,
      // its outcome is the one that counts (our attempt is still recorded above).
      await trx
        .updateTable('deliveries')
        .set({
          status: u.status,
          tries: u.tries,
          attempt_count: u.attempt_count,
          next_attempt_at: u.next_attempt_at,
          last_attempt_at: u.last_attempt_at,
          last_status_code: u.last_status_code,
          last_error: u.last_error,
          succeeded_at: u.succeeded_at,
          leased_by: null,
        })
        .where('id', '=', u.id)
        .where('leased_by', '=', batch.leasedBy)
        .execute();
    }
    if (batch.paused.length > 0) {
      await trx
        .updateTable('deliveries')
        .set({ status: 'paused', leased_by: null, next_attempt_at: batch.now })
        .where('id', 'in', batch.paused)
        .where('leased_by', '=', batch.leasedBy)
        .execute();
    }
    for (const v of batch.verdicts) {
      if (v.succeeded) {
        await trx
          .updateTable('webhooks')
          .set({ failing_since: null })
          .where('id', '=', v.webhookId)
          .where('failing_since', 'is not', null)
          .execute();
        continue;
      }
      let reason: string | undefined;
      if (v.gone) {
        reason = 'The receiver answered 410 Gone: it asked us to stop sending.';
      } else if (v.failedAt !== undefined) {
        await trx
          .updateTable('webhooks')
          .set({ failing_since: v.failedAt })
          .where('id', '=', v.webhookId)
          .where('failing_since', 'is', null)
          .execute();
        const hours = Math.round(batch.autoDisableAfterMs / 3_600_000);
        const stale = await trx
          .selectFrom('webhooks')
          .select('id')
          .where('id', '=', v.webhookId)
          .where('enabled', '=', 1)
          .where('failing_since', '<=', batch.now - batch.autoDisableAfterMs)
          .executeTakeFirst();
        if (stale) reason = `Every delivery failed for ${hours} hours; disabled automatically.`;
      }
      if (reason) {
        const result = await trx
          .updateTable('webhooks')
          .set({ enabled: 0, disabled_reason: reason, disabled_at: batch.now, updated_at: batch.now })
          .where('id', '=', v.webhookId)
          .where('enabled', '=', 1)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) {
          await pauseWebhookDeliveries(trx, v.webhookId);
          disabled.push({ webhookId: v.webhookId, reason });
        }
      }
    }
  });
  return { disabled };
}
