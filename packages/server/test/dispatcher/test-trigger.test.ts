// The test trigger goes through the delivery queue like any delivery: sent by a dispatcher,
// marked for the receiver, shown in the log, and limited so it can't be used to flood a target.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  addWebhook,
  call,
  createFacility,
  type FacilityApi,
  facilityApi,
  operator,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('the test trigger', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;

  beforeAll(async () => {
    h = await createHarness(
      dialect,
      { pollIntervalMs: 60_000, deliveryTimeoutMs: 1_000, leaseMs: 5_000 },
      { dispatcher: true },
    );
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(() => receiver.close());

  const newWebhook = async () =>
    (await addWebhook(api, { url: receiver.url, events: ['booking_created', 'booking_updated'] }))
      .id;

  it('reaches the receiver marked webhook-test, with the usual three-field body, and shows in the log', async () => {
    const wid = await newWebhook();
    const res = await api('POST', `/webhooks/${wid}/test`, { event: 'booking_updated', id: 7 });
    expect(res.status, res.body).toBe(200);
    expect(res.json.attempt).toMatchObject({ success: true, status_code: 200, trigger: 'test' });
    const got = receiver.received[0]!;
    expect(got.headers['webhook-test']).toBe('true');
    expect(got.body).toBe(`{"id": 7, "facility_id": "${fac.id}", "action": "BOOKING_UPDATED"}`);
    const log = await api('GET', `/webhooks/${wid}/deliveries`);
    expect(log.json.objects[0]).toMatchObject({ id: res.json.delivery.id, test: true });

    // A real event carries no such header.
    await api('POST', '/bookings', { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'G' });
    await receiver.waitFor(2);
    expect(receiver.received[1]!.headers['webhook-test']).toBeUndefined();
  });

  it('is sent on a disabled webhook too, and once only when it fails', async () => {
    const wid = await newWebhook();
    expect((await api('PATCH', `/webhooks/${wid}`, { enabled: false })).status).toBe(200);
    receiver.setDefault({ status: 503 });
    const res = await api('POST', `/webhooks/${wid}/test`);
    expect(res.status, res.body).toBe(200);
    expect(res.json.attempt).toMatchObject({ success: false, status_code: 503 });
    expect(res.json.delivery).toMatchObject({ status: 'failed', attempt_count: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it('allows one test in flight per webhook: a second one meanwhile is 429 with Retry-After', async () => {
    const wid = await newWebhook();
    receiver.queue('hang');
    const first = api('POST', `/webhooks/${wid}/test`);
    await receiver.waitFor(1);
    const second = await api('POST', `/webhooks/${wid}/test`);
    expect(second.status, second.body).toBe(429);
    expect(second.json.error.code).toBe('too_many_requests');
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    // The hanging one times out and is answered as a failed attempt; then a test may go again.
    expect((await first).json.attempt).toMatchObject({ success: false, error_class: 'timeout' });
    expect((await api('POST', `/webhooks/${wid}/test`)).status).toBe(200);
    expect(receiver.received).toHaveLength(2);
  });

  it('allows five tests a minute per webhook, then 429 until the minute has passed', async () => {
    const wid = await newWebhook();
    const other = await newWebhook();
    for (let i = 0; i < 5; i++) {
      expect((await api('POST', `/webhooks/${wid}/test`)).status).toBe(200);
    }
    const sixth = await api('POST', `/webhooks/${wid}/test`);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThanOrEqual(55);
    // Another webhook has its own allowance.
    expect((await api('POST', `/webhooks/${other}/test`)).status).toBe(200);
    h.clock.advance(61_000);
    expect((await api('POST', `/webhooks/${wid}/test`)).status).toBe(200);
    expect(receiver.received).toHaveLength(7);
  });

  it('answers 202 with the queued delivery when no dispatcher sends it in time', async () => {
    const lonely = await createHarness(dialect, { deliveryTimeoutMs: 100, leaseMs: 5_000 });
    try {
      const f = await createFacility(lonely);
      const hook = await call(lonely, {
        method: 'POST',
        url: `/v1/facility/${f.id}/webhooks`,
        key: f.key,
        body: { url: receiver.url, username: 'u', password: 'p', events: ['booking_created'] },
      });
      const res = await call(lonely, {
        method: 'POST',
        url: `/v1/facility/${f.id}/webhooks/${hook.json.id}/test`,
        key: f.key,
      });
      expect(res.status, res.body).toBe(202);
      expect(res.json.attempt).toBeUndefined();
      expect(res.json.delivery).toMatchObject({ status: 'pending', test: true, attempt_count: 0 });
    } finally {
      await lonely.close();
    }
  });

  it('needs the premium plan', async () => {
    const wid = await newWebhook();
    await operator(h, { method: 'PATCH', url: `/v1/facility/${fac.id}`, body: { plan: 'free' } });
    const res = await api('POST', `/webhooks/${wid}/test`);
    expect(res.status).toBe(403);
    expect(receiver.received).toHaveLength(0);
  });
});
