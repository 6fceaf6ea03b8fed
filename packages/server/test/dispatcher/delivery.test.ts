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

const booking = {
  num: 4,
  date: '2026-12-24T19:30:00+01:00',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
};
const order = {
  type: 'pickup',
  items: [{ product_id: 'p1', name: 'Fish & chips', quantity: 2, unit_price: 1450 }],
  name: 'Grace Hopper',
};

describeEachDialect('real-time delivery', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;

  beforeAll(async () => {
    // A one-minute safety-net poll: anything delivered within seconds was woken by the commit.
    h = await createHarness(dialect, { pollIntervalMs: 60_000 }, { dispatcher: true });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(() => receiver.close());

  const newWebhook = (events: string[], url = receiver.url) =>
    addWebhook(api, { url, username: 'zapier', password: 's3cret-pässword', events });

  it('POSTs the exact thin body with Basic Auth as soon as a booking is created', async () => {
    const webhook = await newWebhook(['booking_created']);
    const created = await api('POST', '/bookings', booking);
    expect(created.status, created.body).toBe(201);
    await receiver.waitFor(1, 5_000);
    const got = receiver.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hook');
    expect(got.body).toBe(
      `{"id": ${created.json.id}, "facility_id": "${fac.id}", "action": "BOOKING_CREATED"}`,
    );
    expect(got.headers.authorization).toBe(
      `Basic ${Buffer.from('zapier:s3cret-pässword').toString('base64')}`,
    );
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toMatch(/^tablehooks\/\d+\.\d+\.\d+$/);
    expect(got.headers['webhook-id']).toMatch(/^msg_/);
    expect(Number(got.headers['webhook-timestamp'])).toBeGreaterThan(1_700_000_000);
    expect(got.headers['webhook-signature']).toMatch(/^v1,/);
    // The log shows it as succeeded, with the attempt's status code.
    await expect
      .poll(
        async () =>
          (await api('GET', `/webhooks/${webhook.id}/deliveries`)).json.objects[0]?.status,
      )
      .toBe('succeeded');
    const log = await api('GET', `/webhooks/${webhook.id}/deliveries`);
    expect(log.json.meta.total_count).toBe(1);
    expect(log.json.objects[0]).toMatchObject({
      id: got.headers['webhook-id'],
      event: 'booking_created',
      action: 'BOOKING_CREATED',
      resource_id: created.json.id,
      attempt_count: 1,
      last_status_code: 200,
    });
    // Woken by the commit, not by the poll: the poll is a minute away.
    expect(h.wakeups.count).toBeGreaterThan(0);
  });

  it('sends BOOKING_UPDATED on a change and BOOKING_DELETED on a cancel and on a delete', async () => {
    await newWebhook(['booking_updated', 'booking_deleted']);
    const a = (await api('POST', '/bookings', booking)).json;
    const b = (await api('POST', '/bookings', booking)).json;
    expect((await api('PATCH', `/bookings/${a.id}`, { num: 6 })).status).toBe(200);
    await receiver.waitFor(1);
    expect((await api('PATCH', `/bookings/${a.id}`, { status: 'cancelled' })).status).toBe(200);
    await receiver.waitFor(2);
    expect((await api('DELETE', `/bookings/${b.id}`)).status).toBe(204);
    await receiver.waitFor(3);
    expect(receiver.received.map((r) => JSON.parse(r.body))).toEqual([
      { id: a.id, facility_id: fac.id, action: 'BOOKING_UPDATED' },
      { id: a.id, facility_id: fac.id, action: 'BOOKING_DELETED' },
      { id: b.id, facility_id: fac.id, action: 'BOOKING_DELETED' },
    ]);
  });

  it('sends PRODUCTORDER_CREATED, _UPDATED and _DELETED for online orders', async () => {
    await newWebhook(['productorder_created', 'productorder_updated', 'productorder_deleted']);
    const o = (await api('POST', '/productorders', order)).json;
    await receiver.waitFor(1);
    expect((await api('PATCH', `/productorders/${o.id}`, { status: 'accepted' })).status).toBe(200);
    await receiver.waitFor(2);
    expect((await api('PATCH', `/productorders/${o.id}`, { status: 'cancelled' })).status).toBe(
      200,
    );
    await receiver.waitFor(3);
    expect(receiver.received.map((r) => JSON.parse(r.body).action)).toEqual([
      'PRODUCTORDER_CREATED',
      'PRODUCTORDER_UPDATED',
      'PRODUCTORDER_DELETED',
    ]);
    expect(receiver.received.every((r) => JSON.parse(r.body).id === o.id)).toBe(true);
  });

  it('only sends to webhooks subscribed to the event, and never to another facility', async () => {
    const other = await TestReceiver.start();
    try {
      await newWebhook(['productorder_created'], other.url);
      await newWebhook(['booking_created']);
      const stranger = await createFacility(h);
      const strangerHook = await call(h, {
        method: 'POST',
        url: `/v1/facility/${stranger.id}/webhooks`,
        key: stranger.key,
        body: { url: other.url, username: 'u', password: 'p', events: ['booking_created'] },
      });
      expect(strangerHook.status).toBe(201);
      await api('POST', '/bookings', booking);
      await receiver.waitFor(1);
      // Give a wrongly routed trigger time to arrive before asserting it didn't.
      await new Promise((r) => setTimeout(r, 300));
      expect(other.received).toHaveLength(0);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('holds deliveries while the facility is on the free plan and sends them after the upgrade', async () => {
    await newWebhook(['booking_created']);
    expect(
      (
        await operator(h, {
          method: 'PATCH',
          url: `/v1/facility/${fac.id}`,
          body: { plan: 'free' },
        })
      ).status,
    ).toBe(200);
    const held = (await api('POST', '/bookings', booking)).json;
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(0);
    expect(
      (
        await operator(h, {
          method: 'PATCH',
          url: `/v1/facility/${fac.id}`,
          body: { plan: 'premium' },
        })
      ).status,
    ).toBe(200);
    await receiver.waitFor(1);
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({
      id: held.id,
      facility_id: fac.id,
      action: 'BOOKING_CREATED',
    });
  });
});
