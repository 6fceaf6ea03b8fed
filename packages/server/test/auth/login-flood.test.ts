// Issue #13 item 1: a flood of log-ins used to fill libuv's thread pool with scrypt for over a
// minute, so that a delivery's DNS lookup timed out behind it. Now at most two hashes run at
// once (the rest wait in a short queue or get a 503 at once), and deliveries resolve names with
// c-ares, off the pool: triggers keep arriving while the flood is checked.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Sender } from '../../src/dispatcher/sender.js';
import { MAX_PARALLEL_HASHES, passwordHashing } from '../../src/security/hash-gate.js';
import { createLookup } from '../../src/security/resolver.js';
import { TestClock } from '../support/clock.js';
import { TestDnsServer } from '../support/dns-server.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const FLOOD = 60;
const NAME = 'receiver.tablehooks.test';

describeEachDialect('a log-in flood', (dialect) => {
  let h: Harness;
  let dns: TestDnsServer;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let hookUrl: string;
  beforeAll(async () => {
    [dns, receiver] = await Promise.all([
      TestDnsServer.start({ [NAME]: '127.0.0.1' }),
      TestReceiver.start(),
    ]);
    // The resolver deliveries use, asking a real DNS server (ours) for a real name.
    const lookup = createLookup({ servers: [dns.address] });
    h = await createHarness(dialect, {}, { dispatcher: true, lookup });
    fac = await createFacility(h);
    hookUrl = `http://${NAME}:${new URL(receiver.url).port}/hook`;
    const hook = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: { url: hookUrl, username: 'u', password: 'p', events: ['booking_created'] },
    });
    expect(hook.status, hook.body).toBe(201);
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([dns.close(), receiver.close()]);
  });

  it('keeps delivering triggers to a host name while 60 log-ins are being checked', async () => {
    let floodDone = false;
    const flood = Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        h.app.inject({
          method: 'POST',
          url: '/v1/session',
          payload: { email: `flood${i}@example.com`, password: `guess ${i}` },
          remoteAddress: `10.9.${Math.floor(i / 200)}.${(i % 200) + 1}`,
        }),
      ),
    ).finally(() => {
      floodDone = true;
    });
    await expect.poll(() => passwordHashing.load.running).toBe(MAX_PARALLEL_HASHES);

    const booking = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/bookings`,
      key: fac.key,
      body: { num: 2, date: '2026-12-24T19:30:00Z', name: 'Ada' },
    });
    expect(booking.status).toBe(201);
    // A generous bound: the delivery timeout. Before, the lookup waited for the whole flood.
    await receiver.waitFor(1, h.config.deliveryTimeoutMs);
    expect(floodDone, 'the trigger came while log-ins were still being checked').toBe(false);
    expect(dns.asked).toContain(NAME);

    // A name only the system resolver knows (the hosts file) goes through the thread pool,
    // which the bounded hashing leaves room for.
    const sender = new Sender({
      timeoutMs: h.config.deliveryTimeoutMs,
      bodyLimit: 4096,
      policy: { allowedCidrs: ['127.0.0.1/32'] },
      clock: new TestClock(),
    });
    try {
      const outcome = await sender.send(
        `http://localhost:${new URL(receiver.url).port}/`,
        {},
        '{}',
      );
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ success: true, errorClass: null });
    } finally {
      await sender.close();
    }
    expect(floodDone).toBe(false);
    expect((await h.app.inject({ url: '/healthz' })).statusCode).toBe(200);

    const answers = (await flood).map((r) => r.statusCode);
    // Every try was answered: checked (401), or refused at once as too many at a time (503).
    expect(answers.filter((s) => s !== 401 && s !== 503)).toEqual([]);
    expect(answers.filter((s) => s === 503).length).toBeGreaterThan(0);
    const busy = (await flood).find((r) => r.statusCode === 503)!;
    expect(busy.headers['retry-after']).toBeDefined();
    expect(busy.json().error.code).toBe('unavailable');
    expect(passwordHashing.load).toEqual({ running: 0, waiting: 0 });

    const log = await call(h, {
      method: 'GET',
      url: `/v1/facility/${fac.id}/webhooks/${(await hooks())[0].id}/deliveries`,
      key: fac.key,
    });
    expect(log.json.objects[0]).toMatchObject({ status: 'succeeded' });
  }, 120_000);

  async function hooks() {
    const res = await call(h, {
      method: 'GET',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
    });
    return res.json.objects;
  }
});
