import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  addWebhook,
  createFacility,
  type FacilityApi,
  facilityApi,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const booking = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

describeEachDialect('failed deliveries', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;

  beforeAll(async () => {
    h = await createHarness(
      dialect,
      {
        pollIntervalMs: 60_000,
        retrySchedule: [5, 60, 300],
        deliveryTimeoutMs: 600,
        leaseMs: 5_000,
        autoDisableAfterMs: 3_600_000,
      },
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

  const newWebhook = async (url = receiver.url) =>
    (await addWebhook(api, { url, events: ['booking_created'] })).id;

  async function onlyDelivery(webhookId: string) {
    const list = await api('GET', `/webhooks/${webhookId}/deliveries`);
    const id = list.json.objects[0].id as string;
    return (await api('GET', `/webhooks/${webhookId}/deliveries/${id}`)).json;
  }

  /** Skips the clock forward to a retry and nudges the dispatcher, as time passing would. */
  function skip(ms: number) {
    h.clock.advance(ms);
    h.wakeup.wake();
  }

  it('retries a 500 after the first scheduled delay, with the same webhook-id, and records both attempts', async () => {
    const webhookId = await newWebhook();
    receiver.queue({ status: 500, body: 'database down' });
    await api('POST', '/bookings', booking);
    await receiver.waitFor(1);
    await expect.poll(async () => (await onlyDelivery(webhookId)).attempts.length).toBe(1);
    const failed = await onlyDelivery(webhookId);
    expect(failed).toMatchObject({
      status: 'pending',
      last_status_code: 500,
      last_error: 'http_status',
    });
    expect(failed.attempts[0]).toMatchObject({
      status_code: 500,
      response_body: 'database down',
      success: false,
    });
    // Due five seconds (the schedule's first step; jitter is fixed at its midpoint) after the attempt.
    const due = Date.parse(failed.next_attempt_at) - Date.parse(failed.attempts[0].started_at);
    expect(due).toBeGreaterThanOrEqual(5_000);
    expect(due).toBeLessThan(5_000 + 1_000);

    skip(5_000);
    await receiver.waitFor(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(
      receiver.received[0]!.headers['webhook-id'],
    );
    await expect.poll(async () => (await onlyDelivery(webhookId)).status).toBe('succeeded');
    expect(
      (await onlyDelivery(webhookId)).attempts.map((a: { status_code: number }) => a.status_code),
    ).toEqual([500, 200]);
  });

  it('respects Retry-After on 429, within twice the scheduled delay', async () => {
    const webhookId = await newWebhook();
    receiver.queue({ status: 429, headers: { 'retry-after': '8' } });
    await api('POST', '/bookings', booking);
    await expect.poll(async () => (await onlyDelivery(webhookId)).attempts.length).toBe(1);
    const d = await onlyDelivery(webhookId);
    const due = Date.parse(d.next_attempt_at) - Date.parse(d.attempts[0].started_at);
    expect(due).toBeGreaterThanOrEqual(8_000);
    expect(due).toBeLessThan(9_000);
    // Not before the receiver asked.
    skip(5_500);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
    skip(3_000);
    await receiver.waitFor(2);
  });

  it('caps an HTTP-date Retry-After on 503 at twice the scheduled delay', async () => {
    const webhookId = await newWebhook();
    const inAnHour = new Date(h.clock.now() + 3_600_000).toUTCString();
    receiver.queue({ status: 503, headers: { 'retry-after': inAnHour } });
    await api('POST', '/bookings', booking);
    await expect.poll(async () => (await onlyDelivery(webhookId)).attempts.length).toBe(1);
    const d = await onlyDelivery(webhookId);
    const due = Date.parse(d.next_attempt_at) - Date.parse(d.attempts[0].started_at);
    expect(due).toBeGreaterThanOrEqual(10_000 - 1_000);
    expect(due).toBeLessThan(10_000 + 1_000);
  });

  it('disables the webhook at once when the receiver answers 410 Gone', async () => {
    const webhookId = await newWebhook();
    receiver.queue({ status: 410 });
    await api('POST', '/bookings', booking);
    await expect
      .poll(async () => (await api('GET', `/webhooks/${webhookId}`)).json.state)
      .toBe('disabled');
    const webhook = (await api('GET', `/webhooks/${webhookId}`)).json;
    expect(webhook.enabled).toBe(false);
    expect(webhook.disabled_reason).toMatch(/410 Gone/);
    expect((await onlyDelivery(webhookId)).status).toBe('failed');
    // Nothing more is sent; re-enabling is one PATCH.
    await api('POST', '/bookings', booking);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
    const enabled = await api('PATCH', `/webhooks/${webhookId}`, { enabled: true });
    expect(enabled.json).toMatchObject({ state: 'enabled', disabled_reason: null });
  });

  it('does not follow a redirect: a 302 is a failed attempt', async () => {
    const webhookId = await newWebhook();
    receiver.queue({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    await api('POST', '/bookings', booking);
    await expect.poll(async () => (await onlyDelivery(webhookId)).attempts.length).toBe(1);
    const d = await onlyDelivery(webhookId);
    expect(d.attempts[0]).toMatchObject({
      status_code: 302,
      error_class: 'redirect',
      success: false,
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('times out a hanging receiver while other webhooks keep being served', async () => {
    const hanging = await TestReceiver.start();
    hanging.setDefault('hang');
    try {
      const slowId = await newWebhook(hanging.url);
      await newWebhook();
      for (let i = 0; i < 20; i++) await api('POST', '/bookings', booking);
      // The healthy webhook gets all 20 while the other one's receiver never answers.
      await receiver.waitFor(20, 5_000);
      await expect
        .poll(
          async () =>
            (await api('GET', `/webhooks/${slowId}/deliveries?limit=1`)).json.objects[0]
              ?.last_error,
          // Each timeout in a row halves its slots (down to one), so the last of the 20 comes
          // after a few rounds of 600 ms timeouts.
          { timeout: 20_000 },
        )
        .toBe('timeout');
      const d = await onlyDelivery(slowId);
      expect(d.attempts[0]).toMatchObject({ error_class: 'timeout', status_code: null });
      expect(d.attempts[0].duration_ms).toBeGreaterThanOrEqual(550);
      // Never more than the per-webhook limit (8) at once on the hanging receiver.
      // (Counted before the first 600 ms timeout frees a slot.)
      const firstAt = hanging.received[0]!.at;
      expect(hanging.received.filter((r) => r.at < firstAt + 500).length).toBe(8);
    } finally {
      await hanging.close();
    }
  });

  it('gives up after the schedule is exhausted and disables a webhook that fails for the whole period', async () => {
    const webhookId = await newWebhook();
    receiver.setDefault({ status: 500 });
    await api('POST', '/bookings', booking);
    await receiver.waitFor(1);
    for (const [n, step] of [
      [2, 5_000],
      [3, 60_000],
      [4, 300_000],
    ] as const) {
      await expect.poll(async () => (await onlyDelivery(webhookId)).attempts.length).toBe(n - 1);
      skip(step * 1.1);
      await receiver.waitFor(n);
    }
    await expect.poll(async () => (await onlyDelivery(webhookId)).status).toBe('failed');
    expect((await api('GET', `/webhooks/${webhookId}`)).json.failing_since).not.toBeNull();
    // An hour later, with still no success, the next failure disables it.
    skip(3_600_000);
    await api('POST', '/bookings', booking);
    await receiver.waitFor(5);
    await expect
      .poll(async () => (await api('GET', `/webhooks/${webhookId}`)).json.state)
      .toBe('disabled');
    expect((await api('GET', `/webhooks/${webhookId}`)).json.disabled_reason).toMatch(
      /failed for 1 hours/,
    );
  });

  it('resends one failed delivery with the same webhook-id, and recovers all failed since a time', async () => {
    const webhookId = await newWebhook();
    receiver.setDefault({ status: 500 });
    const since = new Date(h.clock.now() - 1000).toISOString();
    await api('POST', '/bookings', booking);
    await api('POST', '/bookings', booking);
    await receiver.waitFor(2);
    // Exhaust both: 3 retries each.
    let sent = 2;
    for (const step of [5_000, 60_000, 300_000]) {
      await expect
        .poll(
          async () =>
            (
              await api('GET', `/webhooks/${webhookId}/deliveries?status=pending`)
            ).json.objects.filter((d: { attempt_count: number }) => d.attempt_count === sent / 2)
              .length,
        )
        .toBe(2);
      skip(step * 1.1);
      sent += 2;
      await receiver.waitFor(sent);
    }
    await expect
      .poll(
        async () =>
          (await api('GET', `/webhooks/${webhookId}/deliveries?status=failed`)).json.meta
            .total_count,
      )
      .toBe(2);
    receiver.setDefault({ status: 204 });
    const before = receiver.received.length;
    const [first] = (await api('GET', `/webhooks/${webhookId}/deliveries`)).json.objects;
    const resent = await api('POST', `/webhooks/${webhookId}/deliveries/${first.id}/resend`);
    expect(resent.status).toBe(202);
    await receiver.waitFor(before + 1);
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(first.id);
    await expect
      .poll(async () => (await onlyDeliveryById(webhookId, first.id)).status)
      .toBe('succeeded');
    expect((await onlyDeliveryById(webhookId, first.id)).attempts.at(-1).trigger).toBe('resend');

    const recovered = await api('POST', `/webhooks/${webhookId}/recover`, { since });
    expect(recovered.json).toEqual({ recovered: 1, resent: 1, retried: 0 });
    await receiver.waitFor(before + 2);
    await expect
      .poll(
        async () =>
          (await api('GET', `/webhooks/${webhookId}/deliveries?status=succeeded`)).json.meta
            .total_count,
      )
      .toBe(2);
  });

  async function onlyDeliveryById(webhookId: string, id: string) {
    return (await api('GET', `/webhooks/${webhookId}/deliveries/${id}`)).json;
  }

  it('sends a test trigger now and answers with the attempt, success or not', async () => {
    const webhookId = await newWebhook();
    const ok = await api('POST', `/webhooks/${webhookId}/test`, {
      event: 'booking_created',
      id: 42,
    });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json.attempt).toMatchObject({ success: true, status_code: 200, trigger: 'test' });
    expect(ok.json.delivery).toMatchObject({ status: 'succeeded', test: true, resource_id: 42 });
    expect(receiver.received[0]!.body).toBe(
      `{"id": 42, "facility_id": "${fac.id}", "action": "BOOKING_CREATED"}`,
    );

    receiver.queue({ status: 500, body: 'nope' });
    const bad = await api('POST', `/webhooks/${webhookId}/test`);
    expect(bad.status, bad.body).toBe(200);
    expect(bad.json.attempt).toMatchObject({
      success: false,
      status_code: 500,
      response_body: 'nope',
    });
    expect(bad.json.delivery.status).toBe('failed');
    // Shown in the log, tried once, never retried.
    skip(10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(2);
  });
});
