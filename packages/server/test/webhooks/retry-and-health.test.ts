// A failing webhook looks failing (`health`), "Retry now" for one delivery or a whole webhook,
// "Resend failed since…" counting what is still retrying, and the chart's hourly counts.
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

const HOUR = 3_600_000;
const TIME = '\\d\\d:\\d\\d UTC';

describeEachDialect('retry now and webhook health', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;

  beforeAll(async () => {
    // One retry an hour after a failure: a delivery waits for it unless retried now.
    h = await createHarness(
      dialect,
      { pollIntervalMs: 60_000, retrySchedule: [3600, 3600], deliveryTimeoutMs: 2_000 },
      { dispatcher: true },
    );
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    receiver = await TestReceiver.start();
    receiver.setDefault({ status: 500, body: 'database down' });
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(() => receiver.close());

  const newWebhook = (url = receiver.url) =>
    addWebhook(api, { url, events: ['booking_created', 'booking_updated'] });

  async function book(): Promise<number> {
    const res = await api('POST', '/bookings', {
      num: 2,
      date: '2026-12-31T20:00:00+01:00',
      name: 'Guest',
    });
    expect(res.status, res.body).toBe(201);
    return res.json.id;
  }

  const health = async (id: string) => (await api('GET', `/webhooks/${id}`)).json.health;
  const deliveries = async (id: string) =>
    (await api('GET', `/webhooks/${id}/deliveries`)).json.objects as any[];
  /** Waits until the webhook has this many deliveries waiting for a retry. */
  const retrying = (id: string, n: number) =>
    expect
      .poll(
        async () =>
          (await deliveries(id)).filter((d) => d.status === 'pending' && d.attempt_count > 0)
            .length,
      )
      .toBe(n);

  it('shows a new webhook as new, then a failing one as failing with its error and next try', async () => {
    const wh = await newWebhook();
    expect(wh.health).toEqual({
      state: 'new',
      failing_since: null,
      failed_attempts: 0,
      last_error: null,
      next_attempt_at: null,
      summary: 'No delivery has gone through yet',
    });
    await book();
    await receiver.waitFor(1);
    await retrying(wh.id, 1);
    const failing = await health(wh.id);
    expect(failing).toMatchObject({ state: 'failing', failed_attempts: 1, last_error: 'HTTP 500' });
    expect(failing.summary).toMatch(
      new RegExp(`^Failing since ${TIME} \\(1 attempt, last: HTTP 500\\); next try at ${TIME}$`),
    );
    const next = Date.parse(failing.next_attempt_at) - Date.parse(failing.failing_since);
    expect(next).toBeGreaterThan(0.7 * HOUR);
    // The list says the same as the single webhook.
    const listed = (await api('GET', '/webhooks')).json.objects[0];
    expect(listed.health).toEqual(failing);
  });

  it('says "connection refused" in plain words when nothing listens', async () => {
    const closed = await TestReceiver.start();
    const url = closed.url;
    await closed.close();
    const wh = await newWebhook(url);
    await book();
    await expect.poll(async () => (await health(wh.id)).state).toBe('failing');
    expect((await health(wh.id)).last_error).toBe('connection refused');
  });

  it('retries a waiting delivery now, without waiting for its schedule, and turns healthy', async () => {
    const wh = await newWebhook();
    await book();
    await receiver.waitFor(1);
    await retrying(wh.id, 1);
    const [d] = await deliveries(wh.id);
    receiver.setDefault({ status: 200, body: 'ok' });
    const res = await api('POST', `/webhooks/${wh.id}/deliveries/${d.id}/retry`);
    expect(res.status, res.body).toBe(202);
    expect(res.json).toMatchObject({ id: d.id, status: 'pending', attempt_count: 1 });
    expect(Date.parse(res.json.next_attempt_at)).toBeLessThanOrEqual(h.clock.now());
    // The clock never moved: the retry went out because it was asked for.
    await receiver.waitFor(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(d.id);
    await expect.poll(async () => (await health(wh.id)).state).toBe('healthy');
    expect((await health(wh.id)).summary).toMatch(
      new RegExp(`^Healthy: last delivery succeeded at ${TIME}$`),
    );
    // A delivery that got through is not waiting for anything: 409 naming its status.
    const again = await api('POST', `/webhooks/${wh.id}/deliveries/${d.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'conflict', field: 'status' });
    expect(again.json.error.message).toMatch(/succeeded/);
  });

  it('retries every waiting delivery of a webhook, keeping each booking in order', async () => {
    const wh = await newWebhook();
    const first = await book();
    await book();
    await receiver.waitFor(2);
    await retrying(wh.id, 2);
    // An update of the first booking waits in line behind its failed create.
    expect((await api('PATCH', `/bookings/${first}`, { num: 3 })).status).toBe(200);
    const blocked = (await deliveries(wh.id)).find((d) => d.status === 'blocked');
    expect(blocked).toBeDefined();
    const refused = await api('POST', `/webhooks/${wh.id}/deliveries/${blocked.id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/blocked/);

    receiver.setDefault({ status: 200, body: 'ok' });
    const res = await api('POST', `/webhooks/${wh.id}/retry`);
    expect(res.status, res.body).toBe(202);
    expect(res.json).toEqual({ retried: 2 });
    await receiver.waitFor(5);
    const aboutFirst = receiver.received
      .slice(2)
      .map((r) => JSON.parse(r.body))
      .filter((b) => b.id === first)
      .map((b) => b.action);
    expect(aboutFirst).toEqual(['BOOKING_CREATED', 'BOOKING_UPDATED']);
    expect((await api('POST', `/webhooks/${wh.id}/retry`)).json).toEqual({ retried: 0 });
  });

  it('counts retrying deliveries in "resend failed since…" as the chart does', async () => {
    const wh = await newWebhook();
    const since = new Date(h.clock.now() - 60_000).toISOString();
    await book();
    await book();
    await book();
    await receiver.waitFor(3);
    await retrying(wh.id, 3);
    const stats = (await api('GET', `/webhooks/${wh.id}/stats?hours=2`)).json;
    const total = (k: string) => stats.buckets.reduce((n: number, b: any) => n + b[k], 0);
    expect(total('retrying')).toBe(3);
    expect(total('failed')).toBe(0);

    receiver.setDefault({ status: 200, body: 'ok' });
    const res = await api('POST', `/webhooks/${wh.id}/recover`, { since });
    expect(res.status, res.body).toBe(202);
    expect(res.json).toEqual({ recovered: 3, resent: 0, retried: 3 });
    await receiver.waitFor(6);
    await expect
      .poll(async () => {
        const after = (await api('GET', `/webhooks/${wh.id}/stats?hours=2`)).json;
        return after.buckets.reduce((n: number, b: any) => n + b.delivered, 0);
      })
      .toBe(3);
  });

  it('counts deliveries per hour, one bucket per hour with zeros, the current hour last', async () => {
    const wh = await newWebhook();
    receiver.setDefault({ status: 200, body: 'ok' });
    await book();
    await receiver.waitFor(1);
    await expect.poll(async () => (await deliveries(wh.id))[0].status).toBe('succeeded');
    const res = await api('GET', `/webhooks/${wh.id}/stats`);
    expect(res.status, res.body).toBe(200);
    const { from, to, buckets } = res.json;
    expect(buckets).toHaveLength(24);
    const currentHour = Math.floor(h.clock.now() / HOUR) * HOUR;
    expect(Date.parse(to)).toBe(currentHour + HOUR);
    expect(Date.parse(from)).toBe(currentHour - 23 * HOUR);
    expect(buckets.at(-1)).toEqual({
      hour: new Date(currentHour).toISOString(),
      delivered: 1,
      failed: 0,
      retrying: 0,
      pending: 0,
    });
    expect(buckets.slice(0, 23).every((b: any) => b.delivered + b.failed === 0)).toBe(true);
    expect((await api('GET', `/webhooks/${wh.id}/stats?hours=168`)).json.buckets).toHaveLength(168);
  });

  it('refuses a stats window outside 1 to 168 hours, naming "hours"', async () => {
    const wh = await newWebhook();
    for (const hours of ['0', '169', 'day']) {
      const res = await api('GET', `/webhooks/${wh.id}/stats?hours=${hours}`);
      expect(res.status, hours).toBe(400);
      expect(res.json.error.field).toBe('hours');
    }
  });

  it('shows a disabled webhook as disabled with its reason and what it holds', async () => {
    const wh = await newWebhook();
    await book();
    await receiver.waitFor(1);
    await retrying(wh.id, 1);
    expect((await api('PATCH', `/webhooks/${wh.id}`, { enabled: false })).status).toBe(200);
    const disabled = await health(wh.id);
    expect(disabled.state).toBe('disabled');
    expect(disabled.summary).toMatch(
      /^Disabled: Disabled by a user\. Failing since .* \(1 attempt, last: HTTP 500\)\. 1 delivery held until it is enabled\.$/,
    );
    // A held delivery is not waiting for a retry: enabling the webhook sends it.
    const retry = await api('POST', `/webhooks/${wh.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.json.error.field).toBe('enabled');
  });

  it('documents the new routes and the health object in /openapi.json', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const base = '/v1/facility/{facility_id}/webhooks/{webhook_id}';
    expect(doc.paths[`${base}/deliveries/{delivery_id}/retry`].post.responses).toHaveProperty(
      '202',
    );
    expect(doc.paths[`${base}/retry`].post.responses).toHaveProperty('202');
    expect(doc.paths[`${base}/stats`].get.responses).toHaveProperty('200');
    const webhook =
      doc.paths['/v1/facility/{facility_id}/webhooks/{webhook_id}'].get.responses['200'].content[
        'application/json'
      ].schema;
    const props = webhook.properties ?? doc.components.schemas[webhook.$ref.split('/').pop()];
    expect(Object.keys(props.health?.properties ?? {})).toEqual([
      'state',
      'failing_since',
      'failed_attempts',
      'last_error',
      'next_attempt_at',
      'summary',
    ]);
  });
});
