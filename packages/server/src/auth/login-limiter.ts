// The brake on guessing UI passwords: failed log-ins counted in sliding windows, per bucket.
// In memory, per process: with several API processes an attacker gets this many tries per
// process, and a restart forgets the count. That still turns online guessing from thousands
// a second into a handful a minute; a shared limit would need a table written on every try.
import type { Clock } from '../clock.js';

export const LOGIN_WINDOW_MS = 15 * 60_000;
// Bounds the limiter's memory under a flood of distinct emails or addresses.
const MAX_TRACKED_KEYS = 50_000;

export interface Bucket {
  key: string;
  /** Attempts allowed in the window before the next one is refused. */
  max: number;
}

export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Seconds until every bucket has room for one more attempt; 0 when they have now. */
  retryAfter(buckets: readonly Bucket[]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const { key, max } of buckets) {
      const recent = this.recent(key, now);
      if (recent.length >= max) {
        const freedAt = recent[recent.length - max]! + LOGIN_WINDOW_MS;
        wait = Math.max(wait, Math.ceil((freedAt - now) / 1000));
      }
    }
    return wait;
  }

  /**
   * Counts an attempt in every bucket now, before its password is checked: concurrent
   * guesses each see the ones before them. Returns what takes it back, for an attempt that
   * turns out right (or was never checked).
   */
  count(keys: readonly string[]): () => void {
    const now = this.clock.now();
    for (const key of keys) {
      const recent = this.recent(key, now);
      recent.push(now);
      // Map keeps insertion order; re-inserting puts the stalest keys first.
      this.attempts.delete(key);
      this.attempts.set(key, recent);
    }
    for (const key of this.attempts.keys()) {
      if (this.attempts.size <= MAX_TRACKED_KEYS) break;
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

  reset(key: string): void {
    this.attempts.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.attempts.get(key) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
    if (list.length === 0) this.attempts.delete(key);
    return list;
  }
}
