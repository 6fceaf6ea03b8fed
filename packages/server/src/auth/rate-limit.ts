// A brake on failed API-key authentications, per client address. In memory and per
// process, like the login limiter: several API processes each keep their own count.
import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';

export interface FailureLimits {
  /** Failures allowed in one window before the client is answered 429. */
  maxFailures: number;
  windowMs: number;
  /** Bounds memory under a flood of distinct addresses; the stalest are forgotten first. */
  maxTracked: number;
}

// A misconfigured integration retrying a revoked key every second stays under this; a
// client cycling through guesses does not.
export const API_KEY_FAILURE_LIMITS: FailureLimits = {
  maxFailures: 30,
  windowMs: 60_000,
  maxTracked: 50_000,
};

/**
 * Failures per client in a sliding window: the last maxFailures times are kept, and the
 * client is blocked until the oldest of them leaves the window.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: FailureLimits = API_KEY_FAILURE_LIMITS,
  ) {}

  /** Records a failure; returns the seconds to wait when the client is now over the limit, else 0. */
  fail(client: string): number {
    const now = this.clock.now();
    const recent = this.recent(client, now);
    recent.push(now);
    if (recent.length > this.limits.maxFailures) recent.shift();
    // Map keeps insertion order: re-inserting makes the stalest clients come first.
    this.failures.delete(client);
    this.failures.set(client, recent);
    for (const stale of this.failures.keys()) {
      if (this.failures.size <= this.limits.maxTracked) break;
      this.failures.delete(stale);
    }
    if (recent.length < this.limits.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.limits.windowMs - now) / 1000));
  }

  private recent(client: string, now: number): number[] {
    return (this.failures.get(client) ?? []).filter((t) => now - t < this.limits.windowMs);
  }
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
