// Who is calling: the operator, a facility's API key, or (with the UI) a logged-in user.
// Keys go in `Api-Key:` (resmio style) or `Authorization: Bearer`.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { hotQuery } from '../db/hot-query.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { Principal, Scope } from './principal.js';
import {
  apiKeyFailureLimiter,
  clientOf,
  type FailureBrake,
  TooManyFailures,
} from './rate-limit.js';

// Writing last_used_at on every call would turn each read into a write; a minute is precise
// enough to tell a key in use from a forgotten one.
const LAST_USED_RESOLUTION_MS = 60_000;

// Every API call asks: no key is cached across requests, so a revoked key (from the API, the
// CLI or another process) is refused on its very next request. The query is built once.
const activeKey = hotQuery((db, p: { keyHash: string }) =>
  db
    .selectFrom('api_keys')
    .select(['id', 'facility_id', 'scopes', 'last_used_at'])
    .where('key_hash', '=', p.keyHash)
    .where('revoked_at', 'is', null),
);

const markUsed = hotQuery((db, p: { id: string; now: number }) =>
  db.updateTable('api_keys').set({ last_used_at: p.now }).where('id', '=', p.id),
);

const resolved = new WeakMap<FastifyRequest, Promise<Principal | undefined>>();
// One per app, keyed by its deps: request.server is the route's plugin context, which
// differs from route to route, while deps is the one object they all share.
const limiters = new WeakMap<AppDeps, FailureBrake>();

function limiterOf(deps: AppDeps): FailureBrake {
  let limiter = limiters.get(deps);
  if (!limiter) {
    limiter = apiKeyFailureLimiter(deps.clock);
    limiters.set(deps, limiter);
  }
  return limiter;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['api-key'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  return undefined;
}

async function resolve(request: FastifyRequest): Promise<Principal | undefined> {
  const { deps } = request.server;
  const key = presentedKey(request);
  if (key === undefined) return deps.sessions.principalOf(request);
  // Looked up by its SHA-256: the table never holds a usable key.
  const digest = createHash('sha256').update(key, 'utf8').digest();
  const { operatorKey } = deps;
  if (operatorKey.matchesDigest ? operatorKey.matchesDigest(digest) : operatorKey.matches(key)) {
    return { kind: 'operator' };
  }
  const [row] = await activeKey.execute(deps.store.db, { keyHash: digest.toString('hex') });
  if (!row) {
    // Only failures count, and only against the address they came from: a valid key is
    // always served, so neither an attacker elsewhere nor a broken integration behind the
    // same egress address (Zapier, Make) can lock anybody out. Keys carry 256 random bits,
    // so the brake is not what stops guessing; it tells a client looping on a dead key to
    // back off (Retry-After) before it fills our logs.
    const wait = limiterOf(deps).fail(clientOf(request.ip));
    if (wait > 0) throw new TooManyFailures(wait);
    throw new AppError('unauthorized', 'the API key is not valid or was revoked');
  }
  const now = deps.clock.now();
  if (row.last_used_at === null || now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
    await markUsed.execute(deps.store.db, { id: row.id, now });
  }
  return {
    kind: 'api_key',
    keyId: row.id,
    facilityId: row.facility_id,
    scopes: row.scopes.split(',').filter(Boolean) as Scope[],
  };
}

export function principalOf(request: FastifyRequest): Promise<Principal | undefined> {
  let p = resolved.get(request);
  if (!p) {
    p = resolve(request);
    resolved.set(request, p);
  }
  return p;
}

async function authenticated(request: FastifyRequest): Promise<Principal> {
  const principal = await principalOf(request);
  if (!principal) {
    throw new AppError(
      'unauthorized',
      'an API key is required (Api-Key header or Authorization: Bearer)',
    );
  }
  return principal;
}

export async function requireOperator(request: FastifyRequest): Promise<void> {
  const principal = await authenticated(request);
  if (principal.kind !== 'operator') throw new AppError('forbidden', 'this needs the operator key');
}

/**
 * The caller may act on this facility with this scope. Another facility's key gets 404, as
 * if the facility did not exist: ids of other tenants are never confirmed.
 * 'owner' means: the operator, or a logged-in owner of the facility (API keys can't mint keys).
 */
export async function requireFacility(
  request: FastifyRequest,
  facilityId: string,
  need: Scope | 'owner',
): Promise<Principal> {
  const principal = await authenticated(request);
  if (principal.kind === 'operator') return principal;
  if (principal.facilityId !== facilityId) throw new AppError('not_found', 'facility not found');
  if (need === 'owner') {
    if (principal.kind === 'user' && principal.role === 'owner') return principal;
    throw new AppError('forbidden', 'only the facility owner or the operator may do this');
  }
  if (principal.kind === 'api_key' && !principal.scopes.includes(need)) {
    throw new AppError('forbidden', `this API key lacks the "${need}" scope`);
  }
  return principal;
}
