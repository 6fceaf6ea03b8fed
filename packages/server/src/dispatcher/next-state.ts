// Pure: what a delivery becomes after one attempt.
import { limitRetryAfter, retryDelayMs } from './retry-schedule.js';
import type { Outcome } from './sender.js';

export interface DeliveryUpdate {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  tries: number;
  attempt_count: number;
  next_attempt_at: number;
  last_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  succeeded_at: number | null;
}

export interface AttemptedDelivery {
  id: string;
  tries: number;
  attempt_count: number;
  is_test: number;
}

export interface Policy {
  scheduleSeconds: readonly number[];
  /** In [0, 1), for jitter. */
  random: number;
  now: number;
}

export function afterAttempt(d: AttemptedDelivery, o: Outcome, p: Policy): DeliveryUpdate {
  const tries = d.tries + 1;
  const base = {
    id: d.id,
    tries,
    attempt_count: d.attempt_count + 1,
    last_attempt_at: o.startedAt,
    last_status_code: o.statusCode,
    last_error: o.success ? null : o.errorClass,
  };
  if (o.success) {
    return { ...base, status: 'succeeded', next_attempt_at: p.now, succeeded_at: p.now };
  }
  // A test trigger is tried once; 410 Gone means the receiver asked us to stop.
  const delay =
    d.is_test || o.statusCode === 410
      ? undefined
      : retryDelayMs(tries, p.scheduleSeconds, p.random);
  if (delay === undefined) {
    return { ...base, status: 'failed', next_attempt_at: p.now, succeeded_at: null };
  }
  const honoured =
    o.statusCode === 429 || o.statusCode === 503
      ? limitRetryAfter(delay, o.retryAfter, p.now)
      : delay;
  return { ...base, status: 'pending', next_attempt_at: p.now + honoured, succeeded_at: null };
}
