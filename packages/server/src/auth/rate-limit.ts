// The brakes on guessing: failed API keys per client address (authenticate.ts) and log-ins per
// email and address (login.ts), one sliding-window limiter for both. In memory, per process:
// with several API processes a client gets this many tries per process, and a restart forgets
// the count. That still turns online guessing from thousands a second into a handful a
// minute; a shared limit would need a table written on every try.
import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';

export interface WindowLimits {
  windowMs: number;
  /** Bounds memory under a flood of distinct keys; the stalest are forgotten first. */
  maxTracked: number;
  /**
   * Times kept per key, the newest: bounds memory under a flood from one client. At least
   * the largest bucket's max. Unbounded where counts are taken back: trimming to the max and
   * then taking one back would leave room that the times pushed out still owe.
   */
  maxKeptPerKey: number;
}

/** A key and the attempts it may make in one window before the next is refused. */
export interface Bucket {
  key: string;
  max: number;
}

// A misconfigured integration retrying a revoked key every second stays under this; a
// client cycling through guesses does not.
export const API_KEY_FAILURE_LIMITS = {
  /** Failures allowed in one window before the client is answered 429. */
  maxFailures: 30,
  windowMs: 60_000,
  maxTracked: 50_000,
} as const;

/**
 * Attempts per key in a sliding window: a bucket is full while `max` of its attempts are in
 * the window, and has room again when the oldest of those leaves it. Used for failed API
 * keys (authenticate.ts) and for log-ins (login.ts).
 */
export class RateLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: WindowLimits,
  ) {}

  /** Seconds until every bucket has room for one more attempt; 0 when they have now. */
  retryAfter(buckets: readonly Bucket[]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const { key, max } of buckets) {
      const recent = this.recent(key, now);
      if (recent.length >= max) {
        const freedAt = recent[recent.length - max]! + this.limits.windowMs;
        wait = Math.max(wait, Math.ceil((freedAt - now) / 1000));
      }
    }
    return wait;
  }

  /**
   * Counts an attempt in every bucket now (a caller that counts before its first await makes
   * concurrent attempts each see the ones before them). Returns what takes it back, for an
   * attempt that turns out right (or was never checked).
   */
  count(keys: readonly string[]): () => void {
    const now = this.clock.now();
    for (const key of keys) {
      const recent = this.recent(key, now);
      recent.push(now);
      if (recent.length > this.limits.maxKeptPerKey) recent.shift();
      // Map keeps insertion order: re-inserting puts the stalest keys first.
      this.attempts.delete(key);
      this.attempts.set(key, recent);
    }
    for (const key of this.attempts.keys()) {
      if (this.attempts.size <= this.limits.maxTracked) break;
      this.attempts.delete(key);
    }
    return () => {
      for (const key of keys) {
        const list = this.attempts.get(key);
        const at = list?.lastIndexOf(now) ?? -1;
        if (at >= 0) list!.splice(at, 1);
      }
    };
  }

  /** Counts an attempt that can't be taken back; the seconds to wait when the bucket is now full, else 0. */
  fail(bucket: Bucket): number {
    this.count([bucket.key]);
    return this.retryAfter([bucket]);
  }

  reset(key: string): void {
    this.attempts.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.attempts.get(key) ?? []).filter((t) => now - t < this.limits.windowMs);
    if (list.length === 0) this.attempts.delete(key);
    return list;
  }
}

export interface FailureBrake {
  /** Counts a failure; the seconds to wait when the client is now over the limit, else 0. */
  fail(client: string): number;
}

/** The brake on failed API keys, per client address. */
export function apiKeyFailureLimiter(clock: Clock): FailureBrake {
  const { maxFailures, windowMs, maxTracked } = API_KEY_FAILURE_LIMITS;
  const limiter = new RateLimiter(clock, { windowMs, maxTracked, maxKeptPerKey: maxFailures });
  return { fail: (client) => limiter.fail({ key: client, max: maxFailures }) };
}

/**
 * The unit a limit applies to: an IPv4 address, or an IPv6 /64 (one host usually holds a
 * whole /64, and could otherwise take a fresh address for every try).
 */
export function clientOf(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

export class TooManyFailures extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      'too_many_requests',
      `too many requests with an invalid API key from this address; try again in ${retryAfterSeconds} s`,
      undefined,
      { retryAfterSeconds },
    );
  }
}
