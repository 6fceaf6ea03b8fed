// SSRF through the API: every refused target answers 400 on the url field at creation (and
// on change), and a name that re-resolves to a local address at send time is refused at
// connect time, recorded as ssrf_blocked, with no connection reaching the listener.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { LookupFn } from '../../src/security/ssrf.js';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';
import { CountingListener } from './support/listener.js';
import { logSink, report } from './support/run.js';

// The only DNS these tests use; the records can change between creation and sending.
const PUBLIC = '93.184.216.34';
const records = new Map<string, string[]>();
const lookup: LookupFn = async (hostname) => {
  const found = records.get(hostname);
  if (!found)
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** Refused when the webhook is saved. `P` is the listener's port, so a slip would reach it. */
const refusedAtCreation: [string, string[] | undefined][] = [
  ['http://127.0.0.1:P/hook', undefined],
  ['http://127.1:P/hook', undefined],
  ['http://2130706433:P/hook', undefined],
  ['http://0x7f000001:P/hook', undefined],
  ['http://0177.0.0.1:P/hook', undefined],
  ['http://127.0.0.1.:P/hook', undefined],
  ['http://0.0.0.0:P/hook', undefined],
  ['http://0:P/hook', undefined],
  ['http://[::1]:P/hook', undefined],
  ['http://[::]:P/hook', undefined],
  ['http://[::ffff:127.0.0.1]:P/hook', undefined],
  ['http://[::ffff:7f00:1]:P/hook', undefined],
  ['http://[::127.0.0.1]:P/hook', undefined],
  ['http://localhost:P/hook', undefined],
  ['http://LOCALHOST.:P/hook', undefined],
  ['http://api.localhost:P/hook', undefined],
  ['http://receiver:P/hook', undefined],
  ['http://10.0.0.5/hook', undefined],
  ['http://172.16.0.1/hook', undefined],
  ['http://192.168.1.1/hook', undefined],
  ['http://100.64.0.1/hook', undefined],
  ['http://169.254.169.254/latest/meta-data/', undefined],
  ['http://[fd00:ec2::254]/latest/meta-data/', undefined],
  ['http://[fe80::1]/hook', undefined],
  ['http://224.0.0.1/hook', undefined],
  ['http://255.255.255.255/hook', undefined],
  ['http://[64:ff9b::7f00:1]:P/hook', undefined],
  ['http://[2002:7f00:1::]:P/hook', undefined],
  ['ftp://example.com/hook', undefined],
  ['file:///etc/passwd', undefined],
  ['gopher://example.com:70/_GET', undefined],
  ['http://user:pass@example.com/hook', undefined],
  ['http://example.com:0/hook', undefined],
  ['http://loopback.example:P/hook', ['127.0.0.1']],
  ['http://mapped.example:P/hook', ['::ffff:127.0.0.1']],
  ['http://zero.example:P/hook', ['0.0.0.0']],
  ['http://v6-loopback.example:P/hook', ['::1']],
  ['http://metadata.example/hook', ['169.254.169.254']],
  ['http://intranet.example/hook', ['10.1.2.3']],
  ['http://split.example:P/hook', [PUBLIC, '127.0.0.1']],
  ['http://ula.example/hook', ['2606:4700:4700::1111', 'fd00::1']],
];

/** Public at creation, then one of these at send time (DNS rebinding). */
const rebindTo: string[][] = [
  ['127.0.0.1'],
  ['127.255.255.254'],
  ['0.0.0.0'],
  ['::ffff:127.0.0.1'],
  ['::1'],
  ['::'],
  [PUBLIC, '127.0.0.1'],
  ['169.254.169.254'],
];

describeEachDialect('SSRF through the API', (dialect) => {
  let h: Harness;
  let listener: CountingListener;
  let fac: TestFacility;
  const url = (template: string) => template.replace(':P/', `:${listener.port}/`);

  beforeAll(async () => {
    listener = await CountingListener.start();
    // Nothing is exempt here: 127.0.0.1 is as forbidden as in production.
    h = await createHarness(
      dialect,
      { allowedTargets: [], pollIntervalMs: 60_000, deliveryTimeoutMs: 2_000, leaseMs: 10_000 },
      { dispatcher: true, lookup, logSink: logSink(`ssrf-${dialect}`) },
    );
  });
  afterAll(async () => {
    await h.close();
    await listener.close();
  });
  beforeEach(async () => {
    records.clear();
    fac = await createFacility(h);
  });

  const webhooks = async () =>
    (await h.store.db.selectFrom('webhooks').select('id').execute()).length;

  it(`refuses ${refusedAtCreation.length} targets at creation with 400 on the url field`, async () => {
    expect(refusedAtCreation.length).toBeGreaterThanOrEqual(25);
    const before = await webhooks();
    for (const [template, addresses] of refusedAtCreation) {
      const host = new URL(url(template).replace(/^(ftp|file|gopher):/, 'http:')).hostname;
      if (addresses) records.set(host, addresses);
      const res = await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/webhooks`,
        key: fac.key,
        body: { url: url(template), username: 'u', password: 'p', events: ['booking_created'] },
      });
      expect(res.status, `${template}: ${res.body}`).toBe(400);
      expect(res.json.error, template).toMatchObject({ code: 'validation_failed', field: 'url' });
    }
    expect(await webhooks()).toBe(before);
    expect(listener.connections).toBe(0);
  });

  it('refuses a blocked target when an existing webhook is changed to it', async () => {
    records.set('fine.example', [PUBLIC]);
    const created = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: {
        url: 'https://fine.example/hook',
        username: 'u',
        password: 'p',
        events: ['booking_created'],
      },
    });
    expect(created.status, created.body).toBe(201);
    for (const [template, addresses] of refusedAtCreation.slice(0, 12)) {
      if (addresses) records.set(new URL(url(template)).hostname, addresses);
      const res = await call(h, {
        method: 'PATCH',
        url: `/v1/facility/${fac.id}/webhooks/${created.json.id}`,
        key: fac.key,
        body: { url: url(template) },
      });
      expect(res.status, template).toBe(400);
      expect(res.json.error.field).toBe('url');
    }
    const after = await call(h, {
      method: 'GET',
      url: `/v1/facility/${fac.id}/webhooks/${created.json.id}`,
      key: fac.key,
    });
    expect(after.json.url).toBe('https://fine.example/hook');
    expect(listener.connections).toBe(0);
  });

  it('refuses, at connect time, a name that re-resolves to a local address', async () => {
    const seen: Record<string, string> = {};
    for (const [i, addresses] of rebindTo.entries()) {
      const name = `rebind-${i}.example`;
      records.set(name, [PUBLIC]);
      const created = await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/webhooks`,
        key: fac.key,
        body: {
          url: `http://${name}:${listener.port}/hook`,
          username: 'u',
          password: 'p',
          events: ['booking_created'],
        },
      });
      expect(created.status, created.body).toBe(201);
      // Accepted while public; now the name points home.
      records.set(name, addresses);
      const test = await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/webhooks/${created.json.id}/test`,
        key: fac.key,
      });
      expect(test.status, test.body).toBe(200);
      expect(test.json.attempt, addresses.join(',')).toMatchObject({
        success: false,
        status_code: null,
        error_class: 'ssrf_blocked',
      });
      // The message names the host, never the internal address it resolved to.
      expect(test.json.attempt.error_message).not.toContain(addresses.at(-1));
      seen[addresses.join('+')] = test.json.attempt.error_class;
    }
    expect(listener.connections).toBe(0);
    report(`ssrf rebinding at send time ${dialect}`, { ...seen, connectionsReachingListener: 0 });
  });

  it('records ssrf_blocked for a scheduled delivery whose name rebinds, and keeps retrying it safely', async () => {
    records.set('scheduled.example', [PUBLIC]);
    const created = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: {
        url: `http://scheduled.example:${listener.port}/hook`,
        username: 'u',
        password: 'p',
        events: ['booking_created'],
      },
    });
    expect(created.status).toBe(201);
    records.set('scheduled.example', ['127.0.0.1']);
    const pushed = await operator(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/events`,
      body: { id: 1, type: 'booking', action: 'BOOKING_CREATED' },
    });
    expect(pushed.status).toBe(202);
    const base = `/v1/facility/${fac.id}/webhooks/${created.json.id}/deliveries`;
    let delivery: any;
    await expect
      .poll(async () => {
        const list = await call(h, { method: 'GET', url: base, key: fac.key });
        delivery = list.json.objects[0];
        return delivery?.last_error;
      })
      .toBe('ssrf_blocked');
    const full = await call(h, { method: 'GET', url: `${base}/${delivery.id}`, key: fac.key });
    expect(full.json.attempts[0]).toMatchObject({ error_class: 'ssrf_blocked', status_code: null });
    expect(full.json.status).toBe('pending');
    expect(listener.connections).toBe(0);
  });
});
