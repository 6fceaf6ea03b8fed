import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const booking = { num: 4, date: '2026-12-24T19:30:00+01:00', name: 'Ada Lovelace', email: 'ada@example.com' };

describeEachDialect('real-time delivery', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;

  beforeAll(async () => {
    // A one-minute safety-net poll: anything delivered within seconds was woken by the commit.
    h = await createHarness(dialect, { pollIntervalMs: 60_000 }, { dispatcher: true });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
  });
  afterEach(() => receiver.close());

  async function addWebhook(events: string[], extra: Record<string, unknown> = {}) {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: { url: receiver.url, username: 'zapier', password: 's3cret-pässword', events, ...extra },
    });
    expect(res.status, res.body).toBe(201);
    return res.json;
  }

  it('POSTs the exact thin body with Basic Auth as soon as a booking is created', async () => {
    const webhook = await addWebhook(['booking_created']);
    const created = await call(h, { method: 'POST', url: `/v1/facility/${fac.id}/bookings`, key: fac.key, body: booking });
    expect(created.status, created.body).toBe(201);
    await receiver.waitFor(1, 5_000);
    const got = receiver.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.body).toBe(`{"id": ${created.json.id}, "facility_id": "${fac.id}", "action": "BOOKING_CREATED"}`);
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from('zapier:s3cret-pässword').toString('base64')}`);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toMatch(/^tablehooks\/\d+\.\d+\.\d+$/);
    expect(got.headers['webhook-id']).toMatch(/^msg_/);
    expect(Number(got.headers['webhook-timestamp'])).toBeGreaterThan(1_700_000_000);
    expect(got.headers['webhook-signature']).toMatch(/^v1,/);

    const log = await call(h, {
      method: 'GET',
      url: `/v1/facility/${fac.id}/webhooks/${webhook.id}/deliveries`,
      key: fac.key,
    });
    await expect.poll(async () => (await call(h, {
      method: 'GET',
      url: `/v1/facility/${fac.id}/webhooks/${webhook.id}/deliveries`,
      key: fac.key,
    })).json.objects[0]?.status).toBe('succeeded');
    expect(log.json.meta.total_count).toBe(1);
  });
});
