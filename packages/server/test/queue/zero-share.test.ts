// with more dispatchers than a webhook's concurrency (TABLEHOOKS_WEBHOOK_CONCURRENCY=1
// and two dispatchers), one dispatcher's share of the webhook is 0. Its claim still takes the
// webhook's due deliveries (a lane that does not exist is never excluded, and perWebhook /
// limitedTo ignore the share), and local-queue.ts hands every one of them back at once: a
// claim/release loop that keeps the deliveries leased away from the dispatcher that may send.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { Sender } from '../../src/dispatcher/sender.js';
import { createLogger } from '../../src/logger.js';
import type { DeliveryQueue } from '../../src/queue/queue.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { noJitter } from '../support/clock.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness, TEST_SECRET_KEY } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };
const N = 60;

describeEachDialect('a dispatcher with no share of a webhook', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  const dispatchers: Dispatcher[] = [];
  const senders: Sender[] = [];

  beforeEach(async () => {
    h = await createHarness(dialect, {
      pollIntervalMs: 1_000,
      perWebhookConcurrency: 1,
      leaseMs: 10_000,
      deliveryTimeoutMs: 2_000,
    });
    receiver = await TestReceiver.start();
    receiver.setDefault((res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.end();
      }, 20);
    });
    fac = await createFacility(h);
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    for (const s of senders.splice(0)) await s.close();
    await h.close();
    await receiver.close();
  });

  function start(counts: { claimed: number; released: number }) {
    const logger = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));
    const sender = new Sender({
      timeoutMs: h.config.deliveryTimeoutMs,
      bodyLimit: h.config.responseBodyLimit,
      policy: { allowedCidrs: h.config.allowedTargets },
      clock: h.clock,
    });
    senders.push(sender);
    const queue = new Proxy(h.queue, {
      get(target, prop, r) {
        if (prop === 'claim')
          return async (o: Parameters<DeliveryQueue['claim']>[0]) => {
            const got = await target.claim(o);
            counts.claimed += got.length;
            return got;
          };
        if (prop === 'complete')
          return (b: Parameters<DeliveryQueue['complete']>[0]) => {
            counts.released += b.released?.length ?? 0;
            return target.complete(b);
          };
        const v = Reflect.get(target, prop, r);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const d = new Dispatcher({
      store: h.store,
      queue,
      publicUrl: () => 'http://127.0.0.1:3000',
      config: h.config,
      clock: h.clock,
      random: noJitter,
      secretBox: new SecretBox(Buffer.from(TEST_SECRET_KEY, 'base64'), noJitter.bytes),
      sender,
      logger,
      wakeup: h.wakeup,
    });
    dispatchers.push(d);
    d.start();
  }

  async function run(two: boolean) {
    await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: { url: receiver.url, username: 'u', password: 'p', events: ['booking_created'] },
    });
    const a = { claimed: 0, released: 0 };
    const b = { claimed: 0, released: 0 };
    start(a);
    if (two) start(b);
    // Both know of each other before the work arrives.
    await new Promise((r) => setTimeout(r, 2_500));
    for (let i = 0; i < N; i++)
      await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/bookings`,
        key: fac.key,
        body: BOOKING,
      });
    const started = Date.now();
    // Every delivery arrives, whichever dispatcher holds the webhook's one slot.
    await receiver.waitFor(N, 30_000);
    const ms = Date.now() - started;
    console.log(
      `[${dialect}] ${two ? 'two dispatchers' : 'one dispatcher'}: ${N} deliveries at concurrency 1 in ${ms} ms; claims: a ${a.claimed} (released ${a.released}), b ${b.claimed} (released ${b.released})`,
    );
    return { ms, released: a.released + b.released };
  }

  it('one dispatcher (the baseline)', async () => {
    await run(false);
  }, 60_000);

  it('two dispatchers: the one with no share claims and hands back next to nothing', async () => {
    const { released } = await run(true);
    // Before the fix: thousands of claims handed back, in a loop.
    expect(released).toBeLessThan(N);
  }, 60_000);
});
