// Pure: what a batch of outcomes means for a webhook — a failing streak that starts or
// ends, and whether the webhook is disabled, with the reason shown to its owner. The one
// place these rules live; the queue applies the answer in the outcomes' transaction.
import type { BatchVerdict, HealthChange, WebhookHealthState } from '../queue/types.js';
import type { Outcome } from './sender.js';

export type { BatchVerdict, HealthChange, WebhookHealthState };

export interface HealthPolicy {
  now: number;
  /** A webhook failing without a single success for this long is disabled. */
  autoDisableAfterMs: number;
}

export const GONE_REASON = 'The receiver answered 410 Gone: it asked us to stop sending.';
export const RECEIVER_DISABLED_REASON =
  'Disabled by the receiver: its answer carried webhook-disable: true.';

export function autoDisableReason(autoDisableAfterMs: number): string {
  const hours = Math.round(autoDisableAfterMs / 3_600_000);
  return `Every delivery failed for ${hours} hours; disabled automatically.`;
}

export function webhookHealth(
  state: WebhookHealthState,
  v: BatchVerdict,
  p: HealthPolicy,
): HealthChange {
  // An explicit request to stop wins, whatever the status it came with.
  if (v.disableRequested) {
    return {
      failingSince: v.succeeded ? null : (state.failingSince ?? v.failedAt ?? null),
      disable: state.enabled ? RECEIVER_DISABLED_REASON : undefined,
    };
  }
  // One success is enough: the receiver works, whatever else failed beside it.
  if (v.succeeded) return { failingSince: null, disable: undefined };
  if (v.gone) {
    return { failingSince: state.failingSince, disable: state.enabled ? GONE_REASON : undefined };
  }
  if (v.failedAt === undefined) return { failingSince: state.failingSince, disable: undefined };
  const failingSince = state.failingSince ?? v.failedAt;
  const stale = state.enabled && failingSince <= p.now - p.autoDisableAfterMs;
  return {
    failingSince,
    disable: stale ? autoDisableReason(p.autoDisableAfterMs) : undefined,
  };
}

/** Folds a batch's outcomes into one verdict per webhook. */
export function verdicts(
  finished: readonly { webhookId: string; outcome: Outcome }[],
): BatchVerdict[] {
  const byWebhook = new Map<string, BatchVerdict>();
  for (const { webhookId, outcome: o } of finished) {
    let v = byWebhook.get(webhookId);
    if (!v) {
      v = {
        webhookId,
        succeeded: false,
        failedAt: undefined,
        gone: false,
        disableRequested: false,
      };
      byWebhook.set(webhookId, v);
    }
    if (o.success) v.succeeded = true;
    else v.failedAt = Math.min(v.failedAt ?? o.startedAt, o.startedAt);
    if (o.statusCode === 410) v.gone = true;
    if (o.disableRequested) v.disableRequested = true;
  }
  return [...byWebhook.values()];
}
