// Logging in to the settings UI: the cookie, CSRF, expiry, logout, the brake on guessing,
// and what a staff member may not do.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const PASSWORD = 'correct horse battery';
let ipCounter = 0;
/** Each test logs in from its own address, so the per-IP limit of one test can't leak into another. */
const freshIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

describeEachDialect('UI sessions', (dialect) => {
  let h: Harness;
  let fac: TestFacility;
  let users = 0;
  // Every login costs a real scrypt (slow on purpose): tests share two users.
  let ownerEmail: string;
  let staffEmail: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    fac = await createFacility(h);
    ownerEmail = await addUser('owner');
    staffEmail = await addUser('staff');
  });
  afterAll(async () => {
    await h.close();
  });

  async function addUser(role: 'owner' | 'staff' = 'owner') {
    const email = `user${++users}-${dialect}@example.com`;
    const res = await operator(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/users`,
      body: { email, password: PASSWORD, role },
    });
    expect(res.status, res.body).toBe(201);
    return email;
  }

  async function login(email: string, password = PASSWORD, ip = freshIp(), headers = {}) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { email, password },
      remoteAddress: ip,
      headers,
    });
    const cookies = [res.headers['set-cookie'] ?? []].flat().map(String);
    const cookie = cookies.find((c) => c.startsWith('th_session=')) ?? '';
    const csrfCookie = cookies.find((c) => c.startsWith('th_csrf=')) ?? '';
    const token = /^th_session=([^;]*)/.exec(cookie)?.[1];
    return {
      status: res.statusCode,
      json: res.json(),
      headers: res.headers,
      cookie,
      csrfCookie,
      token,
    };
  }

  /** A logged-in browser: its cookie, and the CSRF token the page got at login. */
  async function session(role: 'owner' | 'staff' = 'owner') {
    const res = await login(role === 'owner' ? ownerEmail : staffEmail);
    expect(res.status).toBe(200);
    return { cookie: `th_session=${res.token}`, csrf: res.json.csrf_token as string };
  }

  const asBrowser = (
    s: { cookie: string; csrf?: string },
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ) =>
    call(h, {
      method,
      url,
      body,
      headers: { cookie: s.cookie, ...(s.csrf ? { 'x-csrf-token': s.csrf } : {}) },
    });

  const booking = { num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Ada Lovelace' };

  it('logs a user in with a secure, script-proof cookie and answers who they are', async () => {
    const email = ownerEmail;
    const res = await login(` ${email.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      user: { email, role: 'owner' },
      facility: { id: fac.id, plan: 'premium' },
    });
    expect(res.json.csrf_token).toMatch(/^[0-9a-f]{64}$/);
    expect(res.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const flags = res.cookie.split(';').map((f) => f.trim());
    expect(flags).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(flags).not.toContain('Secure');
    expect(res.headers['cache-control']).toBe('no-store');
    // The page may read the CSRF companion (it says a login exists), never the session.
    const csrfFlags = res.csrfCookie.split(';').map((f) => f.trim());
    expect(csrfFlags[0]).toBe(`th_csrf=${res.json.csrf_token}`);
    expect(csrfFlags).toEqual(expect.arrayContaining(['SameSite=Strict', 'Path=/']));
    expect(csrfFlags).not.toContain('HttpOnly');

    const me = await asBrowser({ cookie: `th_session=${res.token}` }, 'GET', '/v1/session');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ user: { email }, csrf_token: res.json.csrf_token });
    const list = await asBrowser(
      { cookie: `th_session=${res.token}` },
      'GET',
      `/v1/facility/${fac.id}/bookings`,
    );
    expect(list.status).toBe(200);
  });

  it('marks the cookie Secure when the request came over https', async () => {
    const res = await login(ownerEmail, PASSWORD, freshIp(), { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(res.cookie.split(';').map((f) => f.trim())).toContain('Secure');
    expect(res.csrfCookie.split(';').map((f) => f.trim())).toContain('Secure');
  });

  it('stores only a hash of the session token', async () => {
    const res = await login(ownerEmail);
    const rows = await h.store.db.selectFrom('sessions').select('token_hash').execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.token_hash).not.toBe(res.token);
    }
  });

  it('answers a wrong password and an unknown email with the same 401 and no cookie', async () => {
    const wrong = await login(staffEmail, 'not the password');
    const unknown = await login(`nobody-${dialect}@example.com`, PASSWORD);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({
        error: { code: 'unauthorized', message: 'wrong email or password' },
      });
      expect(res.cookie).toBe('');
    }
  });

  it('refuses a state-changing request without the right X-CSRF-Token', async () => {
    const s = await session();
    const url = `/v1/facility/${fac.id}/bookings`;
    const missing = await asBrowser({ cookie: s.cookie }, 'POST', url, booking);
    expect(missing.status).toBe(403);
    expect(missing.json.error.message).toMatch(/X-CSRF-Token/);
    const wrong = await asBrowser({ cookie: s.cookie, csrf: 'f'.repeat(64) }, 'POST', url, booking);
    expect(wrong.status).toBe(403);
    const other = await session();
    const foreign = await asBrowser({ cookie: s.cookie, csrf: other.csrf }, 'POST', url, booking);
    expect(foreign.status).toBe(403);
    expect((await asBrowser({ cookie: s.cookie }, 'GET', url)).json.meta.total_count).toBe(0);

    const ok = await asBrowser(s, 'POST', url, booking);
    expect(ok.status, ok.body).toBe(201);
  });

  it('lets API-key requests through without a CSRF token', async () => {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/bookings`,
      key: fac.key,
      body: booking,
    });
    expect(res.status).toBe(201);
  });

  it('keeps a session alive while it is used and ends it after the idle time', async () => {
    const s = await session();
    const ttl = h.config.sessionTtlMs;
    h.clock.advance(ttl - 120_000);
    expect((await asBrowser(s, 'GET', '/v1/session')).status).toBe(200);
    h.clock.advance(ttl - 120_000);
    expect((await asBrowser(s, 'GET', '/v1/session')).status).toBe(200);
    h.clock.advance(ttl + 1);
    const expired = await asBrowser(s, 'GET', '/v1/session');
    expect(expired.status).toBe(401);
    expect(expired.json.error.message).toMatch(/session has expired/);
    expect((await asBrowser(s, 'GET', `/v1/facility/${fac.id}/bookings`)).status).toBe(401);
  });

  it('logs out: the cookie is cleared and the session stops working at once', async () => {
    const s = await session();
    expect((await asBrowser({ cookie: s.cookie }, 'DELETE', '/v1/session')).status).toBe(403);
    const out = await asBrowser(s, 'DELETE', '/v1/session');
    expect(out.status).toBe(204);
    const cleared = [out.headers['set-cookie']].flat().map(String);
    expect(cleared).toHaveLength(2);
    expect(cleared[0]).toMatch(/^th_session=;.*Max-Age=0/);
    expect(cleared[1]).toMatch(/^th_csrf=;.*Max-Age=0/);
    expect((await asBrowser(s, 'GET', '/v1/session')).status).toBe(401);
    expect((await asBrowser(s, 'GET', `/v1/facility/${fac.id}/bookings`)).status).toBe(401);
  });

  it('answers 401 to GET /v1/session without a cookie', async () => {
    const res = await call(h, { method: 'GET', url: '/v1/session' });
    expect(res.status).toBe(401);
    const withKey = await call(h, { method: 'GET', url: '/v1/session', key: fac.key });
    expect(withKey.status).toBe(401);
  });

  it('refuses the 11th try after 10 failures for one email from one address', async () => {
    // One round of ten failures (each costs a real scrypt); the other limits, and who they
    // may not hold, are in login-limits.test.ts.
    const email = await addUser();
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await login(email, `guess ${i}`, ip)).status).toBe(401);

    const again = await login(email, PASSWORD, ip);
    expect(again.status).toBe(429);
    expect(again.json.error.code).toBe('too_many_requests');
    expect(again.cookie).toBe('');
    const retryAfter = Number(again.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    h.clock.advance(retryAfter * 1000);
    expect((await login(email, PASSWORD, ip)).status).toBe(200);
  }, 120_000);

  it('lets an owner manage API keys and answers a staff member 403', async () => {
    const owner = await session('owner');
    const created = await asBrowser(owner, 'POST', `/v1/facility/${fac.id}/api-keys`, {
      name: 'zapier',
      scopes: ['read'],
    });
    expect(created.status, created.body).toBe(201);
    expect((await asBrowser(owner, 'GET', `/v1/facility/${fac.id}/api-keys`)).status).toBe(200);

    const staff = await session('staff');
    const list = await asBrowser(staff, 'GET', `/v1/facility/${fac.id}/api-keys`);
    expect(list.status).toBe(403);
    const create = await asBrowser(staff, 'POST', `/v1/facility/${fac.id}/api-keys`, {
      name: 'x',
      scopes: ['read'],
    });
    expect(create.status).toBe(403);
    const revoke = await asBrowser(
      staff,
      'DELETE',
      `/v1/facility/${fac.id}/api-keys/${created.json.id}`,
    );
    expect(revoke.status).toBe(403);
    // Staff still run the restaurant: bookings and webhooks are theirs too.
    expect((await asBrowser(staff, 'GET', `/v1/facility/${fac.id}/webhooks`)).status).toBe(200);
  });

  it("keeps a user inside their own facility: another facility's ids answer 404", async () => {
    const s = await session();
    const other = await createFacility(h);
    const res = await asBrowser(s, 'GET', `/v1/facility/${other.id}/bookings`);
    expect(res.status).toBe(404);
  });
});
