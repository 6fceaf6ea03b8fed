// Pure functions: when to try again (svix's calculate_retry_delay / limit_retry_delay).

/** ±20% jitter, so a receiver that comes back is not hit by every retry at the same instant. */
export const JITTER = 0.2;

/**
 * Delay before the next try, after `tries` failed tries in this cycle (1 = the first
 * attempt failed), or undefined when the schedule is exhausted. `random` is in [0, 1).
 */
export function retryDelayMs(
  tries: number,
  scheduleSeconds: readonly number[],
  random: number,
): number | undefined {
  const base = scheduleSeconds[tries - 1];
  if (base === undefined) return undefined;
  const factor = 1 - JITTER + 2 * JITTER * random;
  return Math.round(base * 1000 * factor);
}

/**
 * Retry-After (seconds or an HTTP date), honoured within [scheduled, 2 × scheduled]: a
 * receiver may slow us down, but neither stall a delivery forever nor speed up retries.
 */
export function limitRetryAfter(
  scheduledMs: number,
  retryAfter: string | undefined,
  now: number,
): number {
  if (!retryAfter) return scheduledMs;
  const text = retryAfter.trim();
  let askedMs: number | undefined;
  if (/^\d+$/.test(text)) {
    askedMs = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) askedMs = Math.max(0, at - now);
  }
  if (askedMs === undefined) return scheduledMs;
  return Math.min(Math.max(askedMs, scheduledMs), 2 * scheduledMs);
}
