// Pure: what a delivery becomes after one attempt.
import type { DeliveryUpdate } from '../queue/types.js';
import { limitRetryAfter, retryDelayMs } from './retry-schedule.js';
import type { Outcome } from './sender.js';

export type { DeliveryUpdate };

export interface AttemptedDelivery {
  id: string;
  tries: number;
  attempt_count: number;
  is_test: number;
  /** The newest event it stands for. */
  last_event_at: number;
}

export interface Policy {
  scheduleSeconds: readonly number[];
  /** In [0, 1), for jitter. */
  random: number;
  now: number;
  /** The webhook's max_age_hours in ms: no retry falls due after last_event_at + this. */
  maxAgeMs?: number | undefined;
}

export function afterAttempt(d: AttemptedDelivery, o: Outcome, p: Policy): DeliveryUpdate {
  const tries = d.tries + 1;
  let status: DeliveryUpdate['status'] = 'succeeded';
  let next = p.now;
  if (!o.success) {
    // A test trigger is tried once; 410 Gone and webhook-disable mean the receiver asked us
    // to stop.
    const delay =
      d.is_test || o.statusCode === 410 || o.disableRequested
        ? undefined
        : retryDelayMs(tries, p.scheduleSeconds, p.random);
    if (delay === undefined) {
      status = 'failed';
    } else {
      status = 'pending';
      next +=
        o.statusCode === 429 || o.statusCode === 503
          ? limitRetryAfter(delay, o.retryAfter, p.now)
          : delay;
      // Too old by the time of its retry: the receiver would only fetch stale news.
      if (p.maxAgeMs !== undefined && next > d.last_event_at + p.maxAgeMs) {
        status = 'expired';
        next = p.now;
      }
    }
  }
  // One literal of one shape (no spread): this runs once per delivery on the hot path.
  return {
    id: d.id,
    status,
    tries,
    attempt_count: d.attempt_count + 1,
    next_attempt_at: next,
    last_attempt_at: o.startedAt,
    last_status_code: o.statusCode,
    last_error: o.success ? null : o.errorClass,
    succeeded_at: o.success ? p.now : null,
  };
}
