// Attempts sent from sender threads (TABLEHOOKS_SENDER_THREADS) keep what the dispatcher
// promises in-process: a resource's triggers in event order, retries on the schedule, the
// per-webhook limit, and the delivery log — the thread only sends, the dispatcher decides.
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  addWebhook,
  createFacility,
  type FacilityApi,
  facilityApi,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { type Received, TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

describeEachDialect('sender threads', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;

  beforeEach(async () => {
    h = await createHarness(
      dialect,
      {
        senderThreads: 2,
        perWebhookConcurrency: 3,
        pollIntervalMs: 60_000,
        retrySchedule: Array(30).fill(1),
        deliveryTimeoutMs: 2_000,
        leaseMs: 10_000,
      },
      { dispatcher: true },
    );
    // What follows holds in-process too: make sure the attempts really cross to two threads.
    expect(h.senders?.threadCount).toBe(2);
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const newWebhook = async () =>
    (
      await addWebhook(api, {
        url: receiver.url,
        events: ['booking_created', 'booking_updated', 'booking_deleted'],
        // Every event gets its own trigger, so the order of all of them can be checked.
        coalesce_updates: false,
        supersede_on_delete: false,
      })
    ).id;

  async function deliveries(webhookId: string) {
    const page = await api('GET', `/webhooks/${webhookId}/deliveries?limit=100`);
    return page.json.objects as {
      id: string;
      status: string;
      attempts?: unknown;
    }[];
  }

  it('keeps each booking’s triggers in event order through failures and retries, and logs every attempt', async () => {
    const wid = await newWebhook();
    // The receiver fails its first 12 requests, then accepts.
    const accepted = new Set<Received>();
    receiver.setDefault((res) => {
      const r = receiver.received.at(-1)!;
      const ok = receiver.received.length > 12;
      if (ok) accepted.add(r);
      res.writeHead(ok ? 200 : 503);
      res.end(ok ? 'ok' : 'busy');
    });
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await api('POST', '/bookings', BOOKING)).json.id);
    for (let round = 1; round <= 3; round++) {
      for (const id of ids) {
        const res = await api('PATCH', `/bookings/${id}`, { num: 2 + round });
        expect(res.status, res.body).toBe(200);
      }
    }
    for (const id of ids) {
      expect((await api('PATCH', `/bookings/${id}`, { status: 'cancelled' })).status).toBe(200);
    }
    // Retries fall due a second after each failure: time passes until all 20 are through.
    await expect
      .poll(
        async () => {
          h.clock.advance(1_500);
          h.wakeup.wake();
          return (await deliveries(wid)).filter((d) => d.status !== 'succeeded').length;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(0);

    for (const id of ids) {
      const about = receiver.received.filter((r) => JSON.parse(r.body).id === id);
      const ok = about.filter((r) => accepted.has(r));
      expect(ok.map((r) => JSON.parse(r.body).action)).toEqual([
        'BOOKING_CREATED',
        'BOOKING_UPDATED',
        'BOOKING_UPDATED',
        'BOOKING_UPDATED',
        'BOOKING_DELETED',
      ]);
      expect(ok.map((r) => Number(r.headers['webhook-sequence']))).toEqual([1, 2, 3, 4, 5]);
      // Failed requests too: never a later trigger of a booking before an earlier one.
      const sequences = about.map((r) => Number(r.headers['webhook-sequence']));
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    }
    // The log: 20 deliveries, 12 failed attempts and 20 successful ones in all.
    const log = await deliveries(wid);
    expect(log).toHaveLength(20);
    let failed = 0;
    let succeeded = 0;
    for (const d of log) {
      const detail = (await api('GET', `/webhooks/${wid}/deliveries/${d.id}`)).json;
      for (const a of detail.attempts as { success: boolean; status_code: number }[]) {
        if (a.success) succeeded++;
        else {
          failed++;
          expect(a.status_code).toBe(503);
        }
      }
    }
    expect({ failed, succeeded }).toEqual({ failed: 12, succeeded: 20 });
  }, 60_000);

  it('never has more than the per-webhook limit in flight, and sends each trigger once', async () => {
    await newWebhook();
    receiver.setDefault((res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.end('ok');
      }, 100);
    });
    const ids: number[] = [];
    for (let i = 0; i < 24; i++) ids.push((await api('POST', '/bookings', BOOKING)).json.id);
    await receiver.waitFor(24, 20_000);
    // Give a duplicate the time to show up.
    await new Promise((r) => setTimeout(r, 300));
    const triggers = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(new Set(triggers).size).toBe(24);
    expect(triggers).toHaveLength(24);
    // Two threads, one webhook limited to 3: the limit holds across the threads, and is used.
    expect(receiver.maxOpen).toBe(3);
  }, 60_000);
});
