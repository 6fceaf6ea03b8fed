// A webhook's health in words: the same sentence in the API (`health` on the webhook), the
// settings UI and the CLI, so a webhook whose every attempt fails never looks fine. Pure: the
// facts come from health.repository.ts, the clock from the caller.
import { isoOrNull } from '../core/iso.js';

export type HealthState = 'healthy' | 'failing' | 'disabled' | 'new';

export interface HealthFacts {
  enabled: boolean;
  disabledReason: string | null;
  /** The first failed attempt after the last success (null: not failing). */
  failingSince: number | null;
  /** Attempts (not tests) failed since failingSince. */
  failedAttempts: number;
  /** The newest failed attempt (not a test), while failing. */
  lastFailure: { errorClass: string | null; statusCode: number | null } | undefined;
  /** The newest successful attempt (not a test), if any. */
  lastSuccessAt: number | null;
  /** The earliest next try of a delivery waiting for a retry. */
  nextAttemptAt: number | null;
  /** Deliveries held while the webhook is disabled. */
  held: number;
}

export interface Health {
  state: HealthState;
  failing_since: string | null;
  failed_attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  summary: string;
}

/** What went wrong with an attempt, as a person says it: "HTTP 500", "connection refused". */
function errorWords(
  errorClass: string | null,
  statusCode: number | null,
  timeoutMs: number,
): string {
  switch (errorClass) {
    case 'http_status':
      return `HTTP ${statusCode}`;
    case 'redirect':
      return `HTTP ${statusCode} (a redirect, not followed)`;
    case 'timeout':
      return `timed out after ${Math.round(timeoutMs / 100) / 10} s`;
    case 'connection_refused':
      return 'connection refused';
    case 'connection_reset':
      return 'connection closed before an answer';
    case 'dns':
      return 'DNS error: no such host';
    case 'tls':
      return 'TLS error: the certificate was not accepted';
    case 'ssrf_blocked':
      return 'blocked: the address is not allowed (see TABLEHOOKS_ALLOWED_TARGETS)';
    case 'invalid_response':
      return 'the answer was not HTTP';
    case 'credentials':
      return "the password can't be decrypted";
    default:
      return statusCode === null ? 'network error' : `HTTP ${statusCode}`;
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "12:03 UTC" today, "Dec 1, 12:03 UTC" on another day: short, and never ambiguous. */
export function shortTime(ms: number, now: number): string {
  const d = new Date(ms);
  const time = `${d.toISOString().slice(11, 16)} UTC`;
  if (d.toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10)) return time;
  const day = d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return `${day}, ${time}`;
}

export function healthOf(f: HealthFacts, now: number, timeoutMs: number): Health {
  const failing = f.failingSince !== null;
  const lastError =
    failing && f.lastFailure
      ? errorWords(f.lastFailure.errorClass, f.lastFailure.statusCode, timeoutMs)
      : null;
  const base = {
    failing_since: isoOrNull(f.failingSince),
    failed_attempts: failing ? f.failedAttempts : 0,
    last_error: lastError,
    next_attempt_at: f.enabled ? isoOrNull(f.nextAttemptAt) : null,
  };
  const streak = failing
    ? `since ${shortTime(f.failingSince!, now)} (${plural(f.failedAttempts, 'attempt')}${
        lastError ? `, last: ${lastError}` : ''
      })`
    : '';
  if (!f.enabled) {
    const held =
      f.held > 0 ? ` ${plural(f.held, 'delivery', 'deliveries')} held until it is enabled.` : '';
    const reason = f.disabledReason ?? 'Disabled.';
    return {
      state: 'disabled',
      ...base,
      summary: `Disabled: ${reason}${failing ? ` Failing ${streak}.` : ''}${held}`,
    };
  }
  if (failing) {
    const next = f.nextAttemptAt === null ? '' : `; next try at ${shortTime(f.nextAttemptAt, now)}`;
    return { state: 'failing', ...base, summary: `Failing ${streak}${next}` };
  }
  if (f.lastSuccessAt === null) {
    return { state: 'new', ...base, summary: 'No delivery has gone through yet' };
  }
  return {
    state: 'healthy',
    ...base,
    summary: `Healthy: last delivery succeeded at ${shortTime(f.lastSuccessAt, now)}`,
  };
}
