// /metrics, request ids and the per-attempt log line, as an operator's Prometheus and log
// pipeline see them.
import { afterEach, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { createOpsHarness, type OpsHarness, sample, sum } from './ops-harness.js';

const booking = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };
const PASSWORD = 'pw-that-must-never-show';

// Every label name a tablehooks metric may carry: closed sets, never ids, URLs or secrets.
const LABELS = new Set([
  'event',
  'outcome',
  'result',
  'error',
  'table',
  'version',
  'role',
  'store',
  'kind',
  'le',
]);

describeEachDialect('operations: metrics, request ids, attempt logs', (dialect) => {
  let h: OpsHarness | undefined;
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = undefined;
  });

  async function setUp(options: { dispatcher: boolean; processMetrics?: boolean }) {
    h = await createOpsHarness(dialect, { retrySchedule: [5, 60] }, options);
    receiver = await TestReceiver.start();
    const fish = await createFacility(h);
    const hook = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fish.id}/webhooks`,
      key: fish.key,
      body: {
        url: receiver.url,
        username: 'zapier',
        password: PASSWORD,
        events: ['booking_created'],
      },
    });
    expect(hook.status).toBe(201);
    return { fish, hook: hook.json.id as string };
  }

  const book = (f: TestFacility) =>
    call(h!, { method: 'POST', url: `/v1/facility/${f.id}/bookings`, key: f.key, body: booking });

  it('counts deliveries by event and outcome, times attempts, and carries no ids, URLs or secrets', async () => {
    const { fish, hook } = await setUp({ dispatcher: true, processMetrics: true });
    for (let i = 0; i < 3; i++) await book(fish);
    await receiver!.waitFor(3);
    receiver!.setDefault({ status: 503 });
    await book(fish);
    await receiver!.waitFor(4);

    // Counters move when an attempt ends; the queue gauge once its outcome is recorded (a
    // moment later) and is read from the store at most once a second.
    let text = '';
    await expect
      .poll(
        async () => {
          text = await h!.scrape();
          return [
            sum(text, 'tablehooks_deliveries_total'),
            sample(text, 'tablehooks_deliveries_pending'),
          ];
        },
        { timeout: 10_000, interval: 200 },
      )
      .toEqual([4, 1]);
    const res = await h!.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(
      sample(text, 'tablehooks_deliveries_total{event="booking_created",outcome="succeeded"}'),
    ).toBe(3);
    expect(
      sample(text, 'tablehooks_deliveries_total{event="booking_created",outcome="retrying"}'),
    ).toBe(1);
    expect(sample(text, 'tablehooks_delivery_attempt_errors_total{error="http_5xx"}')).toBe(1);
    expect(
      sample(text, 'tablehooks_delivery_attempt_duration_seconds_count{result="success"}'),
    ).toBe(3);
    expect(
      sample(text, 'tablehooks_delivery_attempt_duration_seconds_count{result="failure"}'),
    ).toBe(1);
    expect(sample(text, 'tablehooks_delivery_first_attempt_latency_seconds_count')).toBe(4);
    expect(sample(text, 'tablehooks_webhooks_disabled')).toBe(0);
    expect(sample(text, 'tablehooks_dispatcher_in_flight')).toBe(0);
    expect(text).toContain(`tablehooks_info{version="test",role="all",store="${dialect}"} 1`);
    if (dialect === 'sqlite') {
      // Four bookings and their outcomes went through group commits: at least one fsync'd
      // group held them, and none failed.
      expect(sample(text, 'tablehooks_sqlite_group_commits_total{kind="durable"}')).toBeGreaterThan(
        0,
      );
      expect(sample(text, 'tablehooks_sqlite_group_commit_members_total')).toBeGreaterThanOrEqual(
        4,
      );
      expect(sample(text, 'tablehooks_sqlite_group_commit_failures_total')).toBe(0);
    } else {
      expect(text).not.toContain('tablehooks_sqlite_');
    }
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    for (const secret of [receiver!.url, '127.0.0.1', fish.id, hook, PASSWORD, 'zapier', 'msg_']) {
      expect(text).not.toContain(secret);
    }
    for (const line of text.split('\n').filter((l) => l.startsWith('tablehooks_'))) {
      for (const [, label] of line.matchAll(/[{,](\w+)="/g)) expect(LABELS).toContain(label);
    }
  });

  it('shows pending work and how long the most overdue delivery has waited', async () => {
    const { fish } = await setUp({ dispatcher: false });
    await book(fish);
    await book(fish);
    let text = await h!.scrape();
    expect(sample(text, 'tablehooks_deliveries_pending')).toBe(2);
    expect(sample(text, 'tablehooks_deliveries_oldest_due_age_seconds')).toBeLessThan(60);
    h!.clock.advance(90_000);
    // The gauges are read from the store at most once a second.
    await new Promise((r) => setTimeout(r, 1_100));
    text = await h!.scrape();
    expect(sample(text, 'tablehooks_deliveries_oldest_due_age_seconds')).toBeGreaterThanOrEqual(90);
  });

  it('echoes a safe X-Request-Id, replaces an unsafe one, and logs requests with it', async () => {
    await setUp({ dispatcher: false });
    const kept = await h!.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-42.a:b' },
    });
    expect(kept.headers['x-request-id']).toBe('trace-42.a:b');
    const unsafe = await h!.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': '"><script>'.repeat(3) },
    });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f]{6}-[0-9a-z]+$/);
    const own = await h!.app.inject({ method: 'GET', url: '/healthz' });
    expect(own.headers['x-request-id']).not.toBe(unsafe.headers['x-request-id']);
    await h!.app.inject({
      method: 'GET',
      url: '/v1/nope',
      headers: { 'x-request-id': 'trace-43' },
    });
    const logged = (id: string) => h!.logs.map((l) => JSON.parse(l)).filter((l) => l.reqId === id);
    // One line per request, with what a person scanning the log needs.
    expect(logged('trace-43')).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/v1/nope' }),
        res: { statusCode: 404 },
      }),
    ]);
    // A health check says nothing at info: probes would bury everything else.
    expect(logged('trace-42.a:b')).toEqual([]);
    expect(h!.logs.join('')).not.toContain('<script>');
  });

  it('logs one JSON line per attempt: ids, status and duration, no body and no credentials', async () => {
    const { fish, hook } = await setUp({ dispatcher: true });
    const created = await book(fish);
    await receiver!.waitFor(1);
    await expect.poll(() => h!.logs.filter((l) => l.includes('"delivery attempt"')).length).toBe(1);
    const line = h!.logs.find((l) => l.includes('"delivery attempt"'))!;
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({
      level: 30,
      msg: 'delivery attempt',
      webhook: hook,
      event: 'booking_created',
      status: 200,
      outcome: 'succeeded',
    });
    expect(entry.delivery).toMatch(/^msg_/);
    expect(typeof entry.duration_ms).toBe('number');
    const authorization = receiver!.received[0]!.headers.authorization!;
    for (const secret of [
      PASSWORD,
      authorization,
      authorization.slice(6),
      receiver!.received[0]!.body,
    ]) {
      expect(h!.logs.join('\n')).not.toContain(secret);
    }
    expect(created.status).toBe(201);
  });
});
