// What a thin trigger makes possible, seen from a real receiver: per-resource order,
// coalesced updates, deletes that supersede what waits, the sequence and details link, an
// age limit, and the receiver's own stop signal.
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

/** The triggers about one resource, in the order they arrived, with their sequence. */
function lineOf(received: Received[], id: number, onlyAnswered?: Set<Received>) {
  return received
    .filter((r) => JSON.parse(r.body).id === id && (!onlyAnswered || onlyAnswered.has(r)))
    .map((r) => ({
      action: JSON.parse(r.body).action as string,
      sequence: Number(r.headers['webhook-sequence']),
      id: String(r.headers['webhook-id']),
    }));
}

function strictlyIncreasing(xs: number[]): boolean {
  return xs.every((x, i) => i === 0 || x > xs[i - 1]!);
}

describeEachDialect('delivery guarantees', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;
  /** Requests the receiver answered with a 2xx. */
  let accepted: Set<Received>;
  let up = true;

  beforeEach(async () => {
    h = await createHarness(
      dialect,
      {
        pollIntervalMs: 60_000,
        retrySchedule: Array(30).fill(1),
        deliveryTimeoutMs: 1_500,
        leaseMs: 10_000,
        publicUrl: 'https://tablehooks.example.com',
      },
      { dispatcher: true },
    );
    receiver = await TestReceiver.start();
    accepted = new Set();
    up = true;
    receiver.setDefault((res) => {
      const r = receiver.received.at(-1)!;
      if (up) accepted.add(r);
      res.writeHead(up ? 200 : 503);
      res.end();
    });
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const newWebhook = async (settings: Record<string, unknown> = {}) =>
    (
      await addWebhook(api, {
        url: receiver.url,
        events: ['booking_created', 'booking_updated', 'booking_deleted'],
        ...settings,
      })
    ).id;

  async function deliveries(webhookId: string) {
    const all = [];
    for (let offset = 0; ; offset += 100) {
      const page = await api('GET', `/webhooks/${webhookId}/deliveries?limit=100&offset=${offset}`);
      all.push(...page.json.objects);
      if (page.json.objects.length < 100) return all;
    }
  }

  /** The receiver is back: retries fall due now, and the dispatcher is told. */
  function recover() {
    up = true;
    h.clock.advance(2_000);
    h.wakeup.wake();
  }

  async function updateEach(bookings: number[], times: number) {
    for (let round = 1; round <= times; round++) {
      for (const id of bookings) {
        const res = await api('PATCH', `/bookings/${id}`, { num: 2 + (round % 7) });
        expect(res.status, res.body).toBe(200);
      }
    }
  }

  async function bookings(n: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await api('POST', '/bookings', BOOKING)).json.id);
    return ids;
  }

  it('sends a resource’s triggers in event order and coalesces 1,000 updates to 10 bookings while the receiver is down', async () => {
    const wid = await newWebhook();
    up = false;
    const ids = await bookings(10);
    await updateEach(ids, 100);
    recover();
    await expect.poll(() => accepted.size, { timeout: 30_000 }).toBeGreaterThanOrEqual(20);
    await expect
      .poll(async () => (await deliveries(wid)).filter((d) => d.status !== 'succeeded').length, {
        timeout: 30_000,
      })
      .toBe(0);
    const log = await deliveries(wid);
    // Per booking: the created trigger, then one update standing for its 100 updates.
    expect(log).toHaveLength(20);
    const updates = log.filter((d) => d.event === 'booking_updated');
    expect(updates.map((d) => d.event_count).reduce((a, b) => a + b, 0)).toBe(1000);
    for (const id of ids) {
      const line = lineOf(receiver.received, id, accepted);
      expect(line.map((l) => l.action)).toEqual(['BOOKING_CREATED', 'BOOKING_UPDATED']);
      // The update carries the newest event's sequence: 1 + 100 updates.
      expect(line.map((l) => l.sequence)).toEqual([1, 101]);
      // Every request about it, failed ones included, came in sequence order.
      expect(lineOf(receiver.received, id).map((l) => l.sequence)).toEqual(
        [...lineOf(receiver.received, id).map((l) => l.sequence)].sort((a, b) => a - b),
      );
    }
    process.stdout.write(
      `  [${dialect}] 1,000 updates to 10 bookings, receiver down then up: ${accepted.size} triggers delivered (coalescing on)\n`,
    );
  }, 90_000);

  it('delivers all 1,000 updates in per-booking order when coalescing is off', async () => {
    const wid = await newWebhook({ coalesce_updates: false });
    up = false;
    const ids = await bookings(10);
    await updateEach(ids, 100);
    recover();
    await expect.poll(() => accepted.size, { timeout: 60_000, interval: 250 }).toBe(1010);
    for (const id of ids) {
      const line = lineOf(receiver.received, id, accepted);
      expect(line).toHaveLength(101);
      expect(line[0]!.action).toBe('BOOKING_CREATED');
      expect(strictlyIncreasing(line.map((l) => l.sequence))).toBe(true);
      expect(line.at(-1)!.sequence).toBe(101);
    }
    // The receiver has the last one a moment before its outcome is written.
    await expect
      .poll(async () => (await deliveries(wid)).every((d) => d.status === 'succeeded'), {
        timeout: 10_000,
      })
      .toBe(true);
    process.stdout.write(
      `  [${dialect}] coalescing off: ${accepted.size} triggers delivered, each booking in order\n`,
    );
  }, 120_000);

  it('does not hold up other bookings while one booking’s trigger hangs until the timeout', async () => {
    // Coalescing off: with it on, a booking's second update may fold into its first while
    // that waits behind the created one (a slow machine), and fewer than fifteen go out.
    await newWebhook({ coalesce_updates: false });
    const [stuck] = await bookings(1);
    receiver.setDefault((res) => {
      const r = receiver.received.at(-1)!;
      if (JSON.parse(r.body).id === stuck) return; // hangs: the attempt times out
      accepted.add(r);
      res.writeHead(200);
      res.end();
    });
    h.wakeup.wake();
    await receiver.waitFor(1);
    const hungAt = Date.now();
    // Its update waits behind it; the others go at once.
    await api('PATCH', `/bookings/${stuck}`, { num: 5 });
    const others = await bookings(5);
    await updateEach(others, 2);
    await expect.poll(() => accepted.size, { timeout: 10_000, interval: 20 }).toBe(15);
    // All fifteen arrived while the stuck one was still hanging (the timeout is 1.5 s).
    const last = Math.max(...[...accepted].map((r) => r.at));
    expect(last - hungAt).toBeLessThan(h.config.deliveryTimeoutMs);
    expect(lineOf(receiver.received, stuck!)).toEqual([
      expect.objectContaining({ action: 'BOOKING_CREATED' }),
    ]);
  }, 30_000);

  it('supersedes the waiting created and updated triggers of a cancelled booking', async () => {
    const wid = await newWebhook();
    up = false;
    const [id] = await bookings(1);
    await receiver.waitFor(1);
    // Wait until the failed first attempt is recorded: the created trigger now waits for a retry.
    await expect
      .poll(async () => (await deliveries(wid))[0]?.attempt_count, { timeout: 5_000 })
      .toBe(1);
    await updateEach([id!], 3);
    expect((await api('PATCH', `/bookings/${id}`, { status: 'cancelled' })).status).toBe(200);
    recover();
    await expect.poll(() => accepted.size, { timeout: 10_000 }).toBe(1);
    const got = lineOf(receiver.received, id!, accepted);
    expect(got.map((l) => l.action)).toEqual(['BOOKING_DELETED']);
    await expect
      .poll(async () => (await deliveries(wid)).find((d) => d.event === 'booking_deleted')?.status)
      .toBe('succeeded');
    const log = await deliveries(wid);
    const deleted = log.find((d) => d.event === 'booking_deleted');
    expect(deleted).toMatchObject({ status: 'succeeded', sequence: 5 });
    expect(log.filter((d) => d.status === 'superseded')).toEqual([
      expect.objectContaining({
        event: 'booking_updated',
        event_count: 3,
        superseded_by: deleted.id,
      }),
      expect.objectContaining({ event: 'booking_created', superseded_by: deleted.id }),
    ]);
  }, 30_000);

  it('keeps every trigger when superseding and coalescing are off, and sends them in order', async () => {
    await newWebhook({ supersede_on_delete: false, coalesce_updates: false });
    up = false;
    const [id] = await bookings(1);
    await updateEach([id!], 2);
    await api('DELETE', `/bookings/${id}`);
    recover();
    await expect.poll(() => accepted.size, { timeout: 10_000 }).toBe(4);
    expect(lineOf(receiver.received, id!, accepted).map((l) => [l.action, l.sequence])).toEqual([
      ['BOOKING_CREATED', 1],
      ['BOOKING_UPDATED', 2],
      ['BOOKING_UPDATED', 3],
      ['BOOKING_DELETED', 4],
    ]);
  }, 30_000);

  it('sends in parallel with ordering off: a later trigger does not wait for a failing one', async () => {
    await newWebhook({ ordering: 'none', coalesce_updates: false });
    const [id] = await bookings(1);
    await receiver.waitFor(1);
    receiver.setDefault((res) => {
      const r = receiver.received.at(-1)!;
      const failCreated = JSON.parse(r.body).action === 'BOOKING_CREATED';
      if (!failCreated) accepted.add(r);
      res.writeHead(failCreated ? 500 : 200);
      res.end();
    });
    await updateEach([id!], 1);
    await expect.poll(() => accepted.size, { timeout: 5_000 }).toBe(2);
  }, 30_000);

  it('links every trigger to its details and numbers it per resource', async () => {
    await newWebhook({
      events: ['booking_created', 'booking_updated', 'productorder_created'],
    });
    const [id] = await bookings(1);
    await updateEach([id!], 1);
    const order = await api('POST', '/productorders', {
      type: 'pickup',
      items: [{ product_id: 'p1', name: 'Soup', quantity: 1, unit_price: 750 }],
      name: 'Guest',
    });
    expect(order.status, order.body).toBe(201);
    await receiver.waitFor(3);
    const base = `https://tablehooks.example.com/v1/facility/${fac.id}`;
    const byAction = new Map(receiver.received.map((r) => [JSON.parse(r.body).action, r]));
    const created = byAction.get('BOOKING_CREATED')!;
    expect(created.headers.link).toBe(`<${base}/bookings/${id}>; rel="related"`);
    expect(created.headers['webhook-sequence']).toBe('1');
    // The body stays exactly the three fields.
    expect(created.body).toBe(
      `{"id": ${id}, "facility_id": "${fac.id}", "action": "BOOKING_CREATED"}`,
    );
    expect(byAction.get('BOOKING_UPDATED')!.headers['webhook-sequence']).toBe('2');
    const ordered = byAction.get('PRODUCTORDER_CREATED')!;
    expect(ordered.headers.link).toBe(`<${base}/productorders/${order.json.id}>; rel="related"`);
    expect(ordered.headers['webhook-sequence']).toBe('1');
  }, 30_000);

  it('expires a trigger older than max_age_hours instead of retrying it', async () => {
    const wid = await newWebhook({ max_age_hours: 1 });
    up = false;
    await bookings(1);
    await receiver.waitFor(1);
    await expect.poll(async () => (await deliveries(wid))[0]?.attempt_count).toBe(1);
    h.clock.advance(3_600_000);
    h.wakeup.wake();
    await expect
      .poll(async () => (await deliveries(wid))[0]?.status, { timeout: 5_000 })
      .toBe('expired');
    expect((await deliveries(wid))[0]).toMatchObject({ attempt_count: 2, next_attempt_at: null });
  }, 30_000);

  it('disables the webhook when the receiver answers webhook-disable: true', async () => {
    const wid = await newWebhook();
    receiver.setDefault({ status: 200, headers: { 'webhook-disable': 'true' } });
    await bookings(1);
    await receiver.waitFor(1);
    await expect
      .poll(async () => (await api('GET', `/webhooks/${wid}`)).json.state, { timeout: 5_000 })
      .toBe('disabled');
    const hook = (await api('GET', `/webhooks/${wid}`)).json;
    expect(hook.disabled_reason).toContain('Disabled by the receiver');
  }, 30_000);
});
