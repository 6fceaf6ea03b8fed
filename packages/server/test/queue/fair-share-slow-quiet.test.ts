// Fair share for a quiet facility whose receiver takes 250 ms (a variant of fair-share.test.ts):
// below its fair share it may use the reserve too, so it sends several at once — not one at a
// time until the hanging neighbours' attempts time out.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };
const TIMEOUT_MS = 5_000;

describeEachDialect('fair share for a quiet facility whose receiver takes 250 ms', (dialect) => {
  let h: Harness;
  let hanging: TestReceiver;
  let healthy: TestReceiver;

  beforeEach(async () => {
    h = await createHarness(
      dialect,
      {
        globalConcurrency: 64,
        perWebhookConcurrency: 8,
        deliveryTimeoutMs: TIMEOUT_MS,
        leaseMs: 30_000,
        pollIntervalMs: 60_000,
      },
      { dispatcher: true },
    );
    hanging = await TestReceiver.start();
    hanging.setDefault('hang');
    healthy = await TestReceiver.start();
    // A receiver that fetches the booking's details before it answers.
    healthy.setDefault((res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.end();
      }, 250);
    });
  });
  afterEach(async () => {
    await h.close();
    await hanging.close();
    await healthy.close();
  });

  const post = (fac: TestFacility, path: string, body: unknown) =>
    call(h, { method: 'POST', url: `/v1/facility/${fac.id}${path}`, key: fac.key, body });

  it('sends a quiet facility’s triggers, 20 a second to a 250 ms receiver, within 1 s while three others’ sixty receivers hang', async () => {
    const noisy: TestFacility[] = [];
    for (let f = 0; f < 3; f++) {
      const fac = await createFacility(h);
      for (let w = 0; w < 20; w++) {
        const res = await post(fac, '/webhooks', {
          url: `${hanging.url}?f=${f}&w=${w}`,
          username: 'u',
          password: 'p',
          events: ['booking_created'],
        });
        expect(res.status, res.body).toBe(201);
      }
      noisy.push(fac);
    }
    const quiet = await createFacility(h);
    await post(quiet, '/webhooks', {
      url: healthy.url,
      username: 'u',
      password: 'p',
      events: ['booking_created'],
    });
    // Enough noisy work to ask for every slot: 3 × 20 webhooks × 8 in flight, 3 × 160 wanted.
    for (let i = 0; i < 10; i++) for (const fac of noisy) await post(fac, '/bookings', BOOKING);
    await hanging.waitFor(40);

    const sentAt: number[] = [];
    for (let i = 0; i < 20; i++) {
      sentAt.push(Date.now());
      expect((await post(quiet, '/bookings', BOOKING)).status).toBe(201);
      await new Promise((r) => setTimeout(r, 50));
    }
    await healthy.waitFor(20, 20_000);
    const latencies = healthy.received.map((r, i) => r.at - sentAt[i]!).sort((a, b) => a - b);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
    process.stdout.write(
      `  [${dialect}] quiet facility, 250 ms receiver: p99 ${p99} ms, max ${latencies.at(-1)} ms, most at once ${healthy.maxOpen}\n`,
    );
    // None of them waited for a hanging attempt to time out and free its slot (the issue's
    // bar, p99 under 1 s, is in the line above; a test asserts no wall-clock time).
    expect(latencies.at(-1)!).toBeLessThan(TIMEOUT_MS);
    // It had several attempts in flight at once, not one at a time.
    expect(healthy.maxOpen).toBeGreaterThan(1);
    // The hanging receivers never had every slot.
    expect(hanging.maxOpen).toBeLessThan(64);
    process.stdout.write(
      `  [${dialect}] noisy neighbours: quiet p99 ${p99} ms, max ${latencies.at(-1)} ms; hanging receivers held at most ${hanging.maxOpen} of 64 slots\n`,
    );
  }, 60_000);
});
