// Cookie sessions for the settings UI. The browser holds a random token in an HttpOnly
// cookie; the database holds only its SHA-256. State-changing requests made with the cookie
// must also carry X-CSRF-Token, a value derived from the token that the page reads from
// GET /v1/session: a cross-site form can send the cookie (were SameSite ever bypassed) but
// can neither read nor forge that header.
import type { FastifyRequest } from 'fastify';
import type { Clock, Random } from '../clock.js';
import type { Config } from '../config.js';
import type { Store } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { safeEqual, sha256Hex } from '../security/hashing.js';
import type { Principal } from './principal.js';

/** Who a request's session cookie belongs to (the auth hook asks this). */
export interface SessionAuth {
  principalOf(request: FastifyRequest): Promise<Principal | undefined>;
}

export const SESSION_COOKIE = 'th_session';
// Readable by the page (not HttpOnly): it tells the UI a login exists without a request that
// would answer 401 on a first visit. It carries the CSRF token, useless without the session.
export const CSRF_COOKIE = 'th_csrf';
export const CSRF_HEADER = 'x-csrf-token';

// Moving expires_at on every request would turn each read into a write; sliding by the
// minute is precise enough for a session measured in hours.
const SLIDE_RESOLUTION_MS = 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Marks a browser that has logged in to an email before (auth/login.ts): its log-ins are not
// held by the limits a stranger can fill. Sent to the log-in route only.
export const DEVICE_COOKIE = 'th_device';
const DEVICE_MAX_AGE_S = 180 * 24 * 3600;

/** A cookie's value, parsed by @fastify/cookie (registered in app.ts), if it is there. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  return request.cookies[name];
}

/** The session token from the Cookie header, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const value = cookieOf(request, SESSION_COOKIE);
  return value !== undefined && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
}

export function deviceCookie(value: string, secure: boolean): string {
  return `${DEVICE_COOKIE}=${value}; Path=/v1/session; Max-Age=${DEVICE_MAX_AGE_S}; SameSite=Strict; HttpOnly${secure ? '; Secure' : ''}`;
}

/** Derived, not stored: one-way, so knowing it reveals nothing about the session token. */
export const csrfTokenOf = (token: string): string => sha256Hex(`csrf:${token}`);

/** The session cookie and its readable CSRF companion, as Set-Cookie values. */
export function sessionCookies(token: string, secure: boolean): string[] {
  // No Max-Age: the server decides when a session ends (sliding expiry), the browser
  // forgets the cookies when it closes.
  const flags = `Path=/; SameSite=Strict${secure ? '; Secure' : ''}`;
  return [
    `${SESSION_COOKIE}=${token}; ${flags}; HttpOnly`,
    `${CSRF_COOKIE}=${csrfTokenOf(token)}; ${flags}`,
  ];
}

export function clearedSessionCookies(secure: boolean): string[] {
  const flags = `Path=/; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=; ${flags}; HttpOnly`, `${CSRF_COOKIE}=; ${flags}`];
}

/** Over TLS, or behind a proxy that says so (trusting the header can only add Secure). */
export function cameOverHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const first = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
  return request.protocol === 'https' || first === 'https';
}

export interface SessionStore extends SessionAuth {
  create(user: { id: string; facility_id: string }): Promise<{ token: string; expiresAt: number }>;
  /** Ends the session; a no-op when it is already gone. */
  destroy(token: string): Promise<void>;
  expiresAt(token: string): Promise<number | undefined>;
}

export function createSessionAuth(deps: {
  store: Store;
  clock: Clock;
  random: Random;
  config: Pick<Config, 'sessionTtlMs'>;
}): SessionStore {
  const { db } = deps.store;
  const ttl = deps.config.sessionTtlMs;

  return {
    async principalOf(request) {
      const token = sessionTokenOf(request);
      if (token === undefined) return undefined;
      const hash = sha256Hex(token);
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['users.id as user_id', 'users.role', 'sessions.facility_id'])
        .select(['sessions.last_seen_at', 'sessions.expires_at'])
        .where('sessions.token_hash', '=', hash)
        .executeTakeFirst();
      const now = deps.clock.now();
      if (!row || row.expires_at <= now) {
        if (row) await db.deleteFrom('sessions').where('token_hash', '=', hash).execute();
        throw new AppError('unauthorized', 'your session has expired; please log in again');
      }
      if (!SAFE_METHODS.has(request.method)) {
        const presented = request.headers[CSRF_HEADER];
        if (typeof presented !== 'string' || !safeEqual(presented, csrfTokenOf(token))) {
          throw new AppError(
            'forbidden',
            'the X-CSRF-Token header is missing or wrong; reload the page and try again',
          );
        }
      }
      if (now - row.last_seen_at > SLIDE_RESOLUTION_MS) {
        await db
          .updateTable('sessions')
          .set({ last_seen_at: now, expires_at: now + ttl })
          .where('token_hash', '=', hash)
          .execute();
      }
      return {
        kind: 'user',
        facilityId: row.facility_id,
        role: row.role,
        userId: row.user_id,
      };
    },

    async create(user) {
      const now = deps.clock.now();
      const token = deps.random.bytes(32).toString('base64url');
      // Housekeeping on login rather than a timer: expired rows are useless but harmless.
      await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
      await db
        .insertInto('sessions')
        .values({
          token_hash: sha256Hex(token),
          user_id: user.id,
          facility_id: user.facility_id,
          created_at: now,
          last_seen_at: now,
          expires_at: now + ttl,
        })
        .execute();
      return { token, expiresAt: now + ttl };
    },

    async destroy(token) {
      await db.deleteFrom('sessions').where('token_hash', '=', sha256Hex(token)).execute();
    },

    async expiresAt(token) {
      const row = await db
        .selectFrom('sessions')
        .select('expires_at')
        .where('token_hash', '=', sha256Hex(token))
        .executeTakeFirst();
      return row?.expires_at;
    },
  };
}
