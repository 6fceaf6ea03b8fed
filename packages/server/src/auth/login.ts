// Checking a UI user's email and password, with a brake on guessing.
import type { AppDeps } from '../app.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { verifyPassword } from '../security/hashing.js';
import { clientOf } from './rate-limit.js';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_MAX_FAILURES = 10;
// Bounds the limiter's memory under a flood of distinct emails or addresses.
const MAX_TRACKED_KEYS = 50_000;
// Verified against when the email is unknown, so that both answers cost one scrypt at the
// real cost: the response time does not tell which emails have an account. (Random salt and
// hash with the parameters hashPassword uses; no password matches it.)
const DUMMY_HASH =
  'scrypt$131072$8$1$nogsaWnB1O7CdVKT8WB/nQ==$RMsry7tSrLhc6Gr98SPEtuflZAIV+591CSd9k7Pgly4=';

/**
 * Failed logins per key (an email, an IP address) in a sliding window. In memory, per
 * process: with several API processes an attacker gets this many tries per process, and a
 * restart forgets the count. That still turns online guessing from thousands a second into
 * a handful a minute; a shared limit would need a table written on every failure.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Seconds until the next try is allowed, or 0 when it is allowed now. */
  retryAfter(keys: string[]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= LOGIN_MAX_FAILURES) {
        const freedAt = recent[recent.length - LOGIN_MAX_FAILURES]! + LOGIN_WINDOW_MS;
        wait = Math.max(wait, Math.ceil((freedAt - now) / 1000));
      }
    }
    return wait;
  }

  fail(keys: string[]): void {
    const now = this.clock.now();
    for (const key of keys) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.delete(key);
      this.failures.set(key, recent);
    }
    // Map keeps insertion order, and fail() re-inserts: the first keys are the stalest.
    for (const key of this.failures.keys()) {
      if (this.failures.size <= MAX_TRACKED_KEYS) break;
      this.failures.delete(key);
    }
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}

export interface LoginUser {
  id: string;
  facility_id: string;
  email: string;
  role: 'owner' | 'staff';
}

export function loginService(deps: Pick<AppDeps, 'store' | 'clock'>) {
  const limiter = new LoginLimiter(deps.clock);
  return {
    limiter,
    /** The user, or an AppError: 429 (with retryAfter) or a 401 that never says which part was wrong. */
    async check(emailInput: string, password: string, ip: string): Promise<LoginUser> {
      const email = emailInput.trim().toLowerCase();
      // An IPv6 client owns a whole /64, so that is what counts as one address.
      const keys = [`email:${email}`, `ip:${clientOf(ip)}`];
      const wait = limiter.retryAfter(keys);
      if (wait > 0) throw new TooManyLogins(wait);
      const user = await deps.store.db
        .selectFrom('users')
        .select(['id', 'facility_id', 'email', 'role', 'password_hash'])
        .where('email', '=', email)
        .executeTakeFirst();
      const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
      if (!user || !ok) {
        limiter.fail(keys);
        throw new AppError('unauthorized', 'wrong email or password');
      }
      limiter.reset(`email:${email}`);
      return { id: user.id, facility_id: user.facility_id, email: user.email, role: user.role };
    },
  };
}

export class TooManyLogins extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'too_many_requests',
      `too many failed logins; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s)`,
    );
  }
}
