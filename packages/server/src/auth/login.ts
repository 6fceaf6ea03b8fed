// Checking a UI user's email and password, with a brake on guessing that one stranger can't
// turn into a lock-out of others.
//
// Three buckets, each counted before the password is hashed (rate-limit.ts):
// - this email from this address: 10 tries in 15 minutes. Only the guesser is slowed.
// - this email from anywhere: 50. Guessing from many addresses stays slow.
// - anything from this address: 50. One address can't spray guesses over many emails.
// The last two could be filled by a stranger to lock a real user out (behind the same office
// router, or by guessing their email). So a browser that has logged in to this email before
// carries a device cookie (sealed, HttpOnly), and is held only by the first bucket: the
// stranger's failures never reach it. (OWASP: "slow down online guessing with device cookies".)
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { verifyPassword } from '../security/hashing.js';
import { type Bucket, clientOf, RateLimiter } from './rate-limit.js';
import { findUserByEmail } from './users.repository.js';

export const LOGIN_LIMITS = { emailAndAddress: 10, email: 50, address: 50 } as const;
const LOGIN_WINDOW = {
  windowMs: 15 * 60_000,
  maxTracked: 50_000,
  // Counts are taken back (a right password, a check that never ran), so none are trimmed.
  maxKeptPerKey: Number.POSITIVE_INFINITY,
};
// Verified against when the email is unknown, so that both answers cost one scrypt at the
// real cost: the response time does not tell which emails have an account. (Random salt and
// hash with the parameters hashPassword uses; no password matches it.)
const DUMMY_HASH =
  'scrypt$131072$8$1$nogsaWnB1O7CdVKT8WB/nQ==$RMsry7tSrLhc6Gr98SPEtuflZAIV+591CSd9k7Pgly4=';
const DEVICE_PURPOSE = 'th_device';

export interface LoginUser {
  id: string;
  facility_id: string;
  email: string;
  role: 'owner' | 'staff';
}

export interface LoginAttempt {
  email: string;
  password: string;
  /** Picks the account when the email has one in several facilities; else the oldest. */
  facilityId?: string | undefined;
  ip: string;
  /** The th_device cookie, if the browser sent one. */
  device?: string | undefined;
}

export function loginService(deps: Pick<AppDeps, 'store' | 'clock' | 'secretBox'>) {
  const limiter = new RateLimiter(deps.clock, LOGIN_WINDOW);

  const deviceKnows = (device: string | undefined, email: string): boolean => {
    if (!device) return false;
    try {
      return deps.secretBox.open(device, DEVICE_PURPOSE) === email;
    } catch {
      return false;
    }
  };

  return {
    limiter,
    /** The user and a device cookie value, or an AppError: 429 (retryAfter), 503 busy, 401. */
    async check(attempt: LoginAttempt): Promise<{ user: LoginUser; device: string }> {
      const email = attempt.email.trim().toLowerCase();
      // An IPv6 client owns a whole /64, so that is what counts as one address.
      const client = clientOf(attempt.ip);
      const pair: Bucket = { key: `pair:${email}|${client}`, max: LOGIN_LIMITS.emailAndAddress };
      const shared: Bucket[] = [
        { key: `email:${email}`, max: LOGIN_LIMITS.email },
        { key: `address:${client}`, max: LOGIN_LIMITS.address },
      ];
      const held = deviceKnows(attempt.device, email) ? [pair] : [pair, ...shared];
      const wait = limiter.retryAfter(held);
      if (wait > 0) throw new TooManyLogins(wait);
      // Counted now, before the first await: forty concurrent guesses don't all get checked.
      const takeBack = limiter.count([pair, ...shared].map((b) => b.key));
      let user: Awaited<ReturnType<typeof findUserByEmail>>;
      let ok: boolean;
      try {
        user = await findUserByEmail(deps.store.db, email, attempt.facilityId);
        ok = await verifyPassword(attempt.password, user?.password_hash ?? DUMMY_HASH);
      } catch (err) {
        // Not checked (hashing busy, database away): not a guess.
        takeBack();
        throw err;
      }
      if (!user || !ok) throw new AppError('unauthorized', 'wrong email or password');
      takeBack();
      limiter.reset(pair.key);
      return {
        user: { id: user.id, facility_id: user.facility_id, email: user.email, role: user.role },
        device: deps.secretBox.seal(email, DEVICE_PURPOSE),
      };
    },
  };
}

export class TooManyLogins extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      'too_many_requests',
      `too many failed logins; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s)`,
      undefined,
      { retryAfterSeconds },
    );
  }
}
