// Retention: what is older than TABLEHOOKS_RETENTION_DAYS goes, in small batches, while the
// dispatcher keeps delivering; the queue (pending and paused deliveries) never goes.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { Pruner } from '../../src/retention/pruner.js';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { createOpsHarness, type OpsHarness, sum } from './ops-harness.js';

const DAY = 24 * 3600 * 1000;
const booking = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

describeEachDialect('retention', (dialect) => {
  let h: OpsHarness;
  let receiver: TestReceiver;
  beforeEach(async () => {
    // One retry, 40 days out: a delivery that fails once stays pending past the retention.
    h = await createOpsHarness(
      dialect,
      { retrySchedule: [40 * 24 * 3600], autoDisableAfterMs: 365 * DAY, pollIntervalMs: 200 },
      { dispatcher: true },
    );
    receiver = await TestReceiver.start();
  });
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
  });

  const pruner = (batchSize = 2) =>
    new Pruner({
      db: h.store.db,
      queue: h.queue,
      clock: h.clock,
      logger: createLogger('silent'),
      retentionDays: 30,
      metrics: h.metrics,
      batchSize,
      pauseMs: 1,
    });

  async function webhook(f: TestFacility, path: string): Promise<string> {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${f.id}/webhooks`,
      key: f.key,
      body: {
        url: `${receiver.url}/${path}`,
        username: 'u',
        password: 'p',
        events: ['booking_created'],
      },
    });
    expect(res.status).toBe(201);
    return res.json.id;
  }

  const book = async (f: TestFacility) =>
    (
      await call(h, {
        method: 'POST',
        url: `/v1/facility/${f.id}/bookings`,
        key: f.key,
        body: booking,
      })
    ).json.id;

  const statuses = async (webhookId: string) =>
    (
      await h.store.db
        .selectFrom('deliveries')
        .select(['id', 'status'])
        .where('webhook_id', '=', webhookId)
        .execute()
    )
      .map((d) => d.status)
      .sort();

  const count = async (table: 'attempts' | 'events' | 'deliveries') =>
    Number(
      (
        await h.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const settled = () =>
    expect
      .poll(
        async () =>
          (
            await h.store.db
              .selectFrom('deliveries')
              .select('id')
              .where('leased_by', 'is not', null)
              .execute()
          ).length,
        {
          timeout: 10_000,
        },
      )
      .toBe(0);

  it('prunes old attempts, finished deliveries and events, and keeps the queue and anything recent', async () => {
    receiver.setDefault((res) => {
      res.writeHead(res.req.url?.includes('/failing') ? 500 : 200);
      res.end();
    });
    const fish = await createFacility(h);
    const held = await createFacility(h);
    const ok = await webhook(fish, 'ok');
    const failing = await webhook(fish, 'failing');
    const paused = await webhook(held, 'held');
    // Old traffic: 5 bookings succeed at `ok` and go pending at `failing` (retry in 40 days);
    // a test trigger at `failing` fails for good; `held`'s facility is on the free plan.
    for (let i = 0; i < 5; i++) await book(fish);
    await receiver.waitFor(10);
    const test = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fish.id}/webhooks/${failing}/test`,
      key: fish.key,
    });
    expect(test.json.delivery.status).toBe('failed');
    expect(
      (
        await operator(h, {
          method: 'PATCH',
          url: `/v1/facility/${held.id}`,
          body: { plan: 'free' },
        })
      ).status,
    ).toBe(200);
    await book(held);
    await settled();

    h.clock.advance(31 * DAY);
    // Recent traffic: one old delivery resent today, and two new bookings.
    const old = await h.store.db
      .selectFrom('deliveries')
      .select('id')
      .where('webhook_id', '=', ok)
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(
      (
        await call(h, {
          method: 'POST',
          url: `/v1/facility/${fish.id}/webhooks/${ok}/deliveries/${old.id}/resend`,
          key: fish.key,
        })
      ).status,
    ).toBe(202);
    await book(fish);
    await book(fish);
    await expect.poll(() => statuses(ok), { timeout: 10_000 }).toEqual(Array(7).fill('succeeded'));
    await settled();
    const eventsBefore = await count('events');

    const pruned = await pruner().prune();

    // `ok`: 4 old deliveries gone with their attempts; the resent one and the 2 new ones stay.
    expect(await statuses(ok)).toEqual(Array(3).fill('succeeded'));
    expect(
      (
        await h.store.db
          .selectFrom('attempts')
          .select('id')
          .where('delivery_id', '=', old.id)
          .execute()
      ).length,
    ).toBe(1);
    // `failing`: the 7 queued deliveries stay, with their first attempts; the test trigger goes.
    expect(await statuses(failing)).toEqual(Array(7).fill('pending'));
    const queuedAttempts = await h.store.db
      .selectFrom('attempts')
      .select('id')
      .where('webhook_id', '=', failing)
      .execute();
    expect(queuedAttempts.length).toBe(5 + 2);
    // `held`: paused, never sent, kept.
    expect(await statuses(paused)).toEqual(['paused']);
    // Attempts first (5 at `ok`, 1 test trigger), then their finished deliveries.
    expect(pruned).toEqual({ attempts: 6, deliveries: 5, events: eventsBefore - 2 });
    expect(await count('events')).toBe(2);

    // Nothing left to do; the counters say what went.
    expect(await pruner().prune()).toEqual({ attempts: 0, deliveries: 0, events: 0 });
    const metrics = await h.scrape();
    expect(sum(metrics, 'tablehooks_retention_pruned_rows_total', { table: 'deliveries' })).toBe(5);
    expect(sum(metrics, 'tablehooks_retention_last_run_timestamp_seconds')).toBeGreaterThan(0);
  });

  it('works through thousands of rows in batches while deliveries go on', async () => {
    const fish = await createFacility(h);
    const ok = await webhook(fish, 'ok');
    await book(fish);
    await receiver.waitFor(1);
    await settled();
    const delivery = await h.store.db
      .selectFrom('deliveries')
      .select('id')
      .executeTakeFirstOrThrow();
    const long_ago = h.clock.now() - 60 * DAY;
    const rows = Array.from({ length: 3_000 }, (_, i) => ({
      delivery_id: delivery.id,
      webhook_id: ok,
      started_at: long_ago + i,
      duration_ms: 3,
      status_code: 200,
      response_body: 'ok',
      error_class: null,
      error_message: null,
      success: 1,
      trigger: 'resend' as const,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await h.store.db
        .insertInto('attempts')
        .values(rows.slice(i, i + 500))
        .execute();

    const pruning = pruner(250).prune();
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push(await book(fish));
    const [counts] = await Promise.all([pruning, receiver.waitFor(21, 20_000)]);
    expect(counts.attempts).toBe(3_000);
    expect(new Set(receiver.received.map((r) => JSON.parse(r.body).id))).toEqual(
      new Set([...ids, 1]),
    );
  });

  it('lets one process run per interval when several share the store', async () => {
    const a = pruner();
    const b = pruner();
    expect(await a.runOnce()).toBeDefined();
    expect(await b.runOnce()).toBeUndefined();
    h.clock.advance(11 * 60_000);
    expect(await b.runOnce()).toBeDefined();
  });
});
