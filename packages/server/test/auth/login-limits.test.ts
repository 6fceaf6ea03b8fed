// Issue #13 items 1, 5 and 6: guesses are counted before the password is hashed, one
// stranger can't lock others out (not behind a shared address, not by guessing their
// email), X-Forwarded-For counts only when a proxy is trusted, and an email another
// facility uses is nobody else's business.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/auth/login.js';
import { operator } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const PASSWORD = 'correct horse battery';
let counter = 0;
const fresh = (what: string) => `${what}-${process.pid}-${++counter}`;
let ipCounter = 0;
const freshIp = () => `10.1.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

interface Attempt {
  email: string;
  password?: string;
  ip?: string;
  device?: string;
  facility_id?: string;
  headers?: Record<string, string>;
}

async function login(h: Harness, a: Attempt) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/session',
    payload: {
      email: a.email,
      password: a.password ?? PASSWORD,
      ...(a.facility_id ? { facility_id: a.facility_id } : {}),
    },
    remoteAddress: a.ip ?? freshIp(),
    headers: { ...(a.device ? { cookie: `th_device=${a.device}` } : {}), ...a.headers },
  });
  const cookies = [res.headers['set-cookie'] ?? []].flat().map(String);
  const device = /^th_device=([^;]+)/.exec(cookies.find((c) => c.startsWith('th_device=')) ?? '');
  return { status: res.statusCode, json: res.json(), device: device?.[1], cookies };
}

async function addUser(h: Harness, facility: string, email = `${fresh('user')}@example.com`) {
  const res = await operator(h, {
    method: 'POST',
    url: `/v1/facility/${facility}/users`,
    body: { email, password: PASSWORD, role: 'owner' },
  });
  expect(res.status, res.body).toBe(201);
  return email;
}

async function addFacility(h: Harness) {
  const id = fresh('fac');
  const res = await operator(h, {
    method: 'POST',
    url: '/v1/facility',
    body: { id, name: id, plan: 'premium' },
  });
  expect(res.status).toBe(201);
  return id;
}

/** `n` failing tries, a few at a time (the hashing gate takes 2 and queues 16). */
async function fail(n: number, attempt: (i: number) => Attempt & { h: Harness }) {
  for (let i = 0; i < n; i += 8) {
    const batch = Array.from({ length: Math.min(8, n - i) }, (_, k) => attempt(i + k));
    const results = await Promise.all(batch.map(({ h, ...a }) => login(h, a)));
    for (const r of results) expect(r.status).toBe(401);
  }
}

function statuses(results: { status: number }[]): Record<number, number> {
  const n: Record<number, number> = {};
  for (const r of results) n[r.status] = (n[r.status] ?? 0) + 1;
  return n;
}

describeEachDialect('log-in limits', (dialect) => {
  let h: Harness;
  let facility: string;
  beforeAll(async () => {
    h = await createHarness(dialect);
    facility = await addFacility(h);
  });
  afterAll(() => h.close());

  it('checks at most the limit of 40 concurrent wrong guesses for one email', async () => {
    const email = await addUser(h, facility);
    const ip = freshIp();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(h, { email, password: `guess ${i}`, ip })),
    );
    const n = statuses(results);
    // 401 is a checked guess; 429 and 503 were refused before any hashing.
    expect(n[401] ?? 0).toBeLessThanOrEqual(LOGIN_LIMITS.emailAndAddress);
    expect((n[401] ?? 0) + (n[429] ?? 0) + (n[503] ?? 0)).toBe(40);
    expect(n[429]).toBeGreaterThanOrEqual(40 - LOGIN_LIMITS.emailAndAddress - 16);
    // Spread over many addresses, the email's own bucket holds them.
    const spread = await Promise.all(
      Array.from({ length: 60 }, (_, i) => login(h, { email, password: `spread ${i}` })),
    );
    expect(statuses(spread)[401] ?? 0).toBeLessThanOrEqual(LOGIN_LIMITS.email);
  }, 180_000);

  it('holds the guesser of an email at one address, not its owner elsewhere nor others there', async () => {
    const email = await addUser(h, facility);
    const other = await addUser(h, facility);
    const ip = freshIp();
    for (let i = 0; i < LOGIN_LIMITS.emailAndAddress; i++) {
      expect((await login(h, { email, password: `guess ${i}`, ip })).status).toBe(401);
    }
    const held = await login(h, { email, ip });
    expect(held.status).toBe(429);
    expect(held.json.error.code).toBe('too_many_requests');
    expect((await login(h, { email })).status).toBe(200);
    expect((await login(h, { email: other, ip })).status).toBe(200);
  }, 120_000);

  it("lets a real user in after a stranger's failures for unknown emails from the same address", async () => {
    const email = await addUser(h, facility);
    const office = freshIp();
    // The case: ten failures for an unknown email used to lock everyone out.
    await fail(10, (i) => ({ h, email: 'nobody@example.com', password: `x${i}`, ip: office }));
    const first = await login(h, { email, ip: office });
    expect(first.status).toBe(200);
    // Until the address's own bucket is full, and after that for a browser that has logged in.
    await fail(LOGIN_LIMITS.address - 10, (i) => ({
      h,
      email: `nobody${i % 4}@example.com`,
      password: `x${i}`,
      ip: office,
    }));
    expect((await login(h, { email, ip: office, device: first.device })).status).toBe(200);
    expect((await login(h, { email, ip: office })).status).toBe(429);
    expect((await login(h, { email })).status).toBe(200);
  }, 240_000);

  it("keeps a user's own browser working while strangers guess their email from many addresses", async () => {
    const email = await addUser(h, facility);
    const mine = await login(h, { email });
    expect(mine.device).toBeTruthy();
    await fail(LOGIN_LIMITS.email, (i) => ({
      h,
      email,
      password: `guess ${i}`,
      ip: `10.2.${i % 7}.1`,
    }));
    expect((await login(h, { email })).status).toBe(429);
    expect((await login(h, { email, device: mine.device })).status).toBe(200);
    // The device cookie speaks for its own email only, and can't be forged.
    const other = await addUser(h, facility);
    await fail(LOGIN_LIMITS.email, (i) => ({
      h,
      email: other,
      password: `guess ${i}`,
      ip: `10.3.${i % 7}.1`,
    }));
    expect((await login(h, { email: other, device: mine.device })).status).toBe(429);
    expect((await login(h, { email: other, device: `${mine.device}x` })).status).toBe(429);
    expect((await login(h, { email: other, device: 'v1.a.b.c' })).status).toBe(429);
  }, 240_000);

  it('ignores X-Forwarded-For unless a proxy is trusted', async () => {
    const email = await addUser(h, facility);
    const ip = freshIp();
    for (let i = 0; i < LOGIN_LIMITS.emailAndAddress; i++) {
      const res = await login(h, {
        email,
        password: `guess ${i}`,
        ip,
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      expect(res.status).toBe(401);
    }
    const spoofed = await login(h, { email, ip, headers: { 'x-forwarded-for': '198.51.100.99' } });
    expect(spoofed.status).toBe(429);
  }, 120_000);
});

describeEachDialect('log-in behind a trusted reverse proxy', (dialect) => {
  let h: Harness;
  let facility: string;
  const PROXY = '127.0.0.1';
  beforeAll(async () => {
    h = await createHarness(dialect, { trustProxy: 1 });
    facility = await addFacility(h);
  });
  afterAll(() => h.close());

  it('counts each client by the address the proxy saw, which the client cannot choose', async () => {
    const email = await addUser(h, facility);
    const guesser = '198.51.100.7';
    for (let i = 0; i < LOGIN_LIMITS.emailAndAddress; i++) {
      // A client may prepend whatever it likes; the proxy appends the address it saw.
      const forwarded = `203.0.113.${i}, ${guesser}`;
      const res = await login(h, {
        email,
        password: `guess ${i}`,
        ip: PROXY,
        headers: { 'x-forwarded-for': forwarded },
      });
      expect(res.status).toBe(401);
    }
    const again = { email, ip: PROXY, headers: { 'x-forwarded-for': `203.0.113.200, ${guesser}` } };
    expect((await login(h, again)).status).toBe(429);
    // Everyone else behind the same proxy is a client of their own.
    const owner = { email, ip: PROXY, headers: { 'x-forwarded-for': '192.0.2.44' } };
    expect((await login(h, owner)).status).toBe(200);
  }, 120_000);
});

describeEachDialect('users with the same email in two facilities', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('answers another facility as if the email were new, and lets each account log in', async () => {
    const [a, b] = [await addFacility(h), await addFacility(h)];
    const email = `${fresh('shared')}@example.com`;
    await addUser(h, a, email);
    const inB = await operator(h, {
      method: 'POST',
      url: `/v1/facility/${b}/users`,
      body: { email: email.toUpperCase(), password: 'the other password', role: 'staff' },
    });
    expect(inB.status, inB.body).toBe(201);
    const again = await operator(h, {
      method: 'POST',
      url: `/v1/facility/${b}/users`,
      body: { email, password: 'yet another password' },
    });
    expect(again.status).toBe(409);
    expect(again.json.error.field).toBe('email');

    const oldest = await login(h, { email });
    expect(oldest.status).toBe(200);
    expect(oldest.json.facility.id).toBe(a);
    const chosen = await login(h, { email, password: 'the other password', facility_id: b });
    expect(chosen.status).toBe(200);
    expect(chosen.json.facility.id).toBe(b);
    expect(chosen.json.user.role).toBe('staff');
    expect((await login(h, { email, password: 'the other password' })).status).toBe(401);
    expect((await login(h, { email, facility_id: b })).status).toBe(401);
  }, 120_000);
});

describe('the device cookie', () => {
  it('is HttpOnly, SameSite=Strict and sent to the log-in route only', async () => {
    const h = await createHarness('sqlite');
    try {
      const facility = await addFacility(h);
      const email = await addUser(h, facility);
      const res = await login(h, { email });
      const cookie = res.cookies.find((c) => c.startsWith('th_device='))!;
      const flags = cookie.split(';').map((f) => f.trim());
      expect(flags).toEqual(
        expect.arrayContaining(['Path=/v1/session', 'SameSite=Strict', 'HttpOnly']),
      );
      // Sealed: the email is not readable from it.
      expect(cookie).not.toContain(email);
    } finally {
      await h.close();
    }
  }, 60_000);
});
