// Credentials: a brake on failed API keys per client address that never touches valid keys,
// revocation that takes effect on the next request (in every process), and UI roles: a
// staff user can't manage API keys or users.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY_FAILURE_LIMITS } from '../../src/auth/rate-limit.js';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';
import { logSink, recordSecret, report } from './support/run.js';

const LIMIT = API_KEY_FAILURE_LIMITS.maxFailures;

describeEachDialect('API key authentication', (dialect) => {
  let h: Harness;
  let fac: TestFacility;

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { logSink: logSink(`auth-${dialect}`) });
    fac = await createFacility(h);
    recordSecret('auth facility key', fac.key);
  });
  afterAll(() => h.close());

  const get = (key: string, ip: string) =>
    h.app.inject({
      method: 'GET',
      url: `/v1/facility/${fac.id}/bookings`,
      headers: { 'api-key': key },
      remoteAddress: ip,
    });

  it('answers 429 with Retry-After to an address that keeps sending invalid keys', async () => {
    const ip = '198.51.100.10';
    for (let i = 1; i < LIMIT; i++) expect((await get(`thk_guess_${i}`, ip)).statusCode).toBe(401);
    const limited = await get('thk_guess_last', ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('too_many_requests');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(API_KEY_FAILURE_LIMITS.windowMs / 1000);
    // Bearer is the same door.
    const bearer = await h.app.inject({
      method: 'GET',
      url: `/v1/facility/${fac.id}`,
      headers: { authorization: 'Bearer thk_another_guess' },
      remoteAddress: ip,
    });
    expect(bearer.statusCode).toBe(429);
    // …until the window has passed.
    h.clock.advance(API_KEY_FAILURE_LIMITS.windowMs + 1);
    expect((await get('thk_after_the_window', ip)).statusCode).toBe(401);
    report(`API key rate limit ${dialect}`, {
      failuresBefore429: LIMIT,
      retryAfterSeconds: retryAfter,
    });
  });

  it('never throttles a valid key, neither elsewhere nor behind the noisy address', async () => {
    const noisy = '203.0.113.7';
    for (let i = 0; i < LIMIT + 5; i++) await get(`thk_noise_${i}`, noisy);
    expect((await get('thk_noise_more', noisy)).statusCode).toBe(429);
    expect((await get(fac.key, '192.0.2.55')).statusCode).toBe(200);
    expect((await get(fac.key, noisy)).statusCode).toBe(200);
  });

  it('counts an IPv6 /64 as one client, so rotating addresses does not escape the brake', async () => {
    for (let i = 1; i < LIMIT; i++) {
      expect((await get(`thk_v6_${i}`, `2001:db8:1:2::${i.toString(16)}`)).statusCode).toBe(401);
    }
    expect((await get('thk_v6_last', '2001:db8:1:2:ffff::1')).statusCode).toBe(429);
    expect((await get('thk_v6_other_net', '2001:db8:1:3::1')).statusCode).toBe(401);
  });

  it('stops a revoked key at once, in this process and in another one on the same store', async () => {
    const other = await createHarness(dialect, {}, { store: h.store });
    try {
      const created = await operator(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/api-keys`,
        body: { name: 'soon revoked', scopes: ['read'] },
      });
      const { key, id } = created.json;
      recordSecret('revoked key', key);
      const url = `/v1/facility/${fac.id}`;
      expect((await call(h, { method: 'GET', url, key })).status).toBe(200);
      expect((await call(other, { method: 'GET', url, key })).status).toBe(200);
      const revoked = await operator(h, {
        method: 'DELETE',
        url: `/v1/facility/${fac.id}/api-keys/${id}`,
      });
      expect(revoked.status).toBe(204);
      expect((await call(h, { method: 'GET', url, key })).status).toBe(401);
      expect((await call(other, { method: 'GET', url, key })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describeEachDialect('UI roles', (dialect) => {
  let h: Harness;
  let fac: TestFacility;

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { logSink: logSink(`roles-${dialect}`) });
    fac = await createFacility(h);
  });
  afterAll(() => h.close());

  /** Logs a new user of this role in through the real login route; returns its headers. */
  async function loggedIn(role: 'owner' | 'staff') {
    const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
    const password = `pw-${role}-${Math.random().toString(36).slice(2)}`;
    recordSecret(`${role} user password`, password);
    const user = await operator(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/users`,
      body: { email, password, role },
    });
    expect(user.status, user.body).toBe(201);
    const login = await call(h, { method: 'POST', url: '/v1/session', body: { email, password } });
    expect(login.status, login.body).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    return { cookie, 'x-csrf-token': String(login.json.csrf_token) };
  }

  it('refuses a staff user every API key and user route, and lets the owner in', async () => {
    const staff = await loggedIn('staff');
    const owner = await loggedIn('owner');
    const keyId = (await operator(h, { method: 'GET', url: `/v1/facility/${fac.id}/api-keys` }))
      .json.objects[0].id;
    const keysBefore = await h.store.db.selectFrom('api_keys').selectAll().execute();
    const routes = [
      {
        method: 'POST',
        url: `/v1/facility/${fac.id}/api-keys`,
        body: { name: 'k', scopes: ['read'] },
      },
      { method: 'GET', url: `/v1/facility/${fac.id}/api-keys` },
      { method: 'DELETE', url: `/v1/facility/${fac.id}/api-keys/${keyId}` },
      {
        method: 'POST',
        url: `/v1/facility/${fac.id}/users`,
        body: { email: 'new-owner@example.com', password: 'long enough', role: 'owner' },
      },
    ] as const;
    for (const r of routes) {
      const res = await call(h, { ...r, headers: staff });
      expect(res.status, `${r.method} ${r.url}: ${res.body}`).toBe(403);
    }
    expect(await h.store.db.selectFrom('api_keys').selectAll().execute()).toEqual(keysBefore);
    // The same requests from the owner go through: the refusal is about the role.
    const minted = await call(h, { ...routes[0], headers: owner });
    expect(minted.status, minted.body).toBe(201);
    recordSecret('owner-minted key', minted.json.key);
    // And an API key, even with every scope, can't mint keys either.
    const byKey = await call(h, { ...routes[0], key: fac.key });
    expect(byKey.status).toBe(403);
  });
});
