// The dispatcher claims ahead of what it sends (a local queue per webhook). What a user must
// still see: a hanging receiver holds only its own slots, a failing one does not sit on a
// queue of leases, and nothing waits here so long that its lease could end mid-attempt.
import type { ServerResponse } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { Sender } from '../../src/dispatcher/sender.js';
import { createLogger } from '../../src/logger.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { noJitter } from '../support/clock.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness, OPERATOR_KEY, TEST_SECRET_KEY } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('claiming ahead', (dialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(overrides: Parameters<typeof createHarness>[1]) {
    const h = await createHarness(dialect, { pollIntervalMs: 60_000, ...overrides });
    cleanup.push(() => h.close());
    const fac = await createFacility(h);
    return { h, fac };
  }

  async function addWebhook(h: Harness, fac: TestFacility, url: string): Promise<string> {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: { url, username: 'u', password: 'p', events: ['booking_created'] },
    });
    expect(res.status, res.body).toBe(201);
    return res.json.id as string;
  }

  async function addEvents(h: Harness, fac: TestFacility, count: number): Promise<void> {
    for (let id = 1; id <= count; id++) {
      const res = await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/events`,
        key: OPERATOR_KEY,
        body: { id, type: 'booking', action: 'BOOKING_CREATED' },
      });
      expect(res.status, res.body).toBeLessThan(300);
    }
  }

  /** A dispatcher started after the backlog exists, so that its first claims see all of it. */
  function startDispatcher(h: Harness): Dispatcher {
    const sender = new Sender({
      timeoutMs: h.config.deliveryTimeoutMs,
      bodyLimit: h.config.responseBodyLimit,
      policy: { allowedCidrs: h.config.allowedTargets },
      clock: h.clock,
    });
    const dispatcher = new Dispatcher({
      store: h.store,
      config: h.config,
      clock: h.clock,
      random: noJitter,
      secretBox: new SecretBox(Buffer.from(TEST_SECRET_KEY, 'base64'), noJitter.bytes),
      sender,
      logger: createLogger('warn'),
      wakeup: h.wakeup,
      queue: h.queue,
      publicUrl: () => 'http://127.0.0.1:3000',
    });
    dispatcher.start();
    cleanup.push(async () => {
      await dispatcher.stop();
      await sender.close();
    });
    return dispatcher;
  }

  /** A webhook's deliveries as the store has them now. */
  function deliveriesOf(h: Harness, webhookId: string) {
    return h.store.db
      .selectFrom('deliveries')
      .select(['status', 'attempt_count', 'leased_by', 'next_attempt_at'])
      .where('webhook_id', '=', webhookId)
      .execute();
  }

  async function leasedBy(h: Harness, webhookId: string, dispatcherId: string): Promise<number> {
    const rows = await h.store.db
      .selectFrom('deliveries')
      .select('id')
      .where('webhook_id', '=', webhookId)
      .where('leased_by', '=', dispatcherId)
      .execute();
    return rows.length;
  }

  it('delivers one webhook’s backlog while another’s receiver hangs with a backlog too', async () => {
    const { h, fac } = await setup({ perWebhookConcurrency: 2, deliveryTimeoutMs: 2_000 });
    const healthy = await TestReceiver.start();
    const hanging = await TestReceiver.start();
    hanging.setDefault('hang');
    cleanup.push(
      () => healthy.close(),
      () => hanging.close(),
    );
    await addWebhook(h, fac, hanging.url);
    await addWebhook(h, fac, healthy.url);
    await addEvents(h, fac, 60);
    startDispatcher(h);
    await healthy.waitFor(60);
    expect(new Set(healthy.received.map((r) => JSON.parse(r.body).id)).size).toBe(60);
    // The hanging receiver never had more than its own two slots.
    expect(hanging.maxOpen).toBe(2);
  });

  it('hands back what is queued for a receiver once it fails, keeping only its slots', async () => {
    const { h, fac } = await setup({
      perWebhookConcurrency: 1,
      deliveryTimeoutMs: 300,
      leaseMs: 60_000,
      retrySchedule: [3_600],
    });
    const hanging = await TestReceiver.start();
    hanging.setDefault('hang');
    cleanup.push(() => hanging.close());
    const webhookId = await addWebhook(h, fac, hanging.url);
    await addEvents(h, fac, 6);
    const dispatcher = startDispatcher(h);
    await hanging.waitFor(1);
    // Once the first attempt has timed out, the others are not held behind it for the
    // lease's minute: at most one (its single slot) is leased to this dispatcher.
    await expect
      .poll(async () => {
        const attempts = await h.store.db.selectFrom('attempts').select('id').execute();
        return attempts.length > 0 && (await leasedBy(h, webhookId, dispatcher.id)) <= 1;
      })
      .toBe(true);
  });

  it('does not start a queued delivery whose lease could end mid-attempt', async () => {
    const { h, fac } = await setup({
      perWebhookConcurrency: 1,
      deliveryTimeoutMs: 1_000,
      leaseMs: 10_000,
    });
    const receiver = await TestReceiver.start();
    cleanup.push(() => receiver.close());
    let held: ServerResponse | undefined;
    receiver.queue((res) => {
      held = res;
    });
    const webhookId = await addWebhook(h, fac, receiver.url);
    await addEvents(h, fac, 3);
    const dispatcher = startDispatcher(h);
    await receiver.waitFor(1);
    await expect.poll(() => held !== undefined).toBe(true);
    // The first is being answered; the other two wait in the queue under their lease. The
    // leases run out, and another dispatcher claims all three.
    h.clock.advance(11_000);
    const now = h.clock.now();
    const other = await h.queue.claim({
      now,
      leaseUntil: now + 60_000,
      dispatcherId: 'dsp_other',
      limit: 10,
      perWebhook: 10,
      excludeWebhooks: [],
    });
    expect(other).toHaveLength(3);
    held!.writeHead(200);
    held!.end('ok');
    // The first attempt is recorded (the delivery's state is the other dispatcher's now). By
    // then this one has taken the next two from its queue and dropped them unsent.
    await expect
      .poll(async () => (await h.store.db.selectFrom('attempts').select('id').execute()).length)
      .toBe(1);
    await dispatcher.stop();
    expect(receiver.received).toHaveLength(1);
    expect(await leasedBy(h, webhookId, 'dsp_other')).toBe(3);
  });

  // A healthy webhook's slot is given its queue as a chain: the next attempt starts where the
  // last one was sent. A stop or a failure must still hand back what the chain did not send.
  const after = (ms: number) => (res: ServerResponse) =>
    setTimeout(() => {
      res.writeHead(200);
      res.end('ok');
    }, ms);

  it('stops a chain at once on stop: what it had not sent goes back, and is sent once by the next', async () => {
    const { h, fac } = await setup({ perWebhookConcurrency: 1, leaseMs: 60_000 });
    const receiver = await TestReceiver.start();
    receiver.setDefault(after(60));
    cleanup.push(() => receiver.close());
    const webhookId = await addWebhook(h, fac, receiver.url);
    await addEvents(h, fac, 20);
    const first = startDispatcher(h);
    // One attempt while the receiver is unknown, then a chain of what the next claim brought.
    await receiver.waitFor(4);
    const before = receiver.received.length;
    await first.stop();
    // The attempt in flight finished; the chain started nothing after the stop.
    expect(receiver.received.length).toBeLessThanOrEqual(before + 1);
    const rows = await deliveriesOf(h, webhookId);
    expect(rows.every((r) => r.leased_by === null)).toBe(true);
    const attempts = await h.store.db.selectFrom('attempts').select('id').execute();
    expect(attempts).toHaveLength(receiver.received.length);
    // Handed back due now, not left to the lease's minute (the clock does not move here).
    for (const r of rows.filter((r) => r.attempt_count === 0)) {
      expect(r.next_attempt_at).toBeLessThanOrEqual(h.clock.now());
    }
    startDispatcher(h);
    await receiver.waitFor(20);
    await new Promise((r) => setTimeout(r, 200));
    const triggers = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(triggers).toHaveLength(20);
    expect(new Set(triggers).size).toBe(20);
  });

  it('ends a chain at a failure and hands back the rest at once: each is sent, the failed one retried later', async () => {
    const { h, fac } = await setup({
      perWebhookConcurrency: 1,
      leaseMs: 60_000,
      retrySchedule: [3_600],
    });
    const receiver = await TestReceiver.start();
    // The fourth request fails; every other one is accepted.
    receiver.queue({ status: 200 }, { status: 200 }, { status: 200 }, { status: 500 });
    cleanup.push(() => receiver.close());
    const webhookId = await addWebhook(h, fac, receiver.url);
    await addEvents(h, fac, 12);
    startDispatcher(h);
    // The clock stands still: what was left to its lease would never come back.
    await receiver.waitFor(12);
    await expect
      .poll(
        async () =>
          (await deliveriesOf(h, webhookId)).filter((d) => d.status === 'succeeded').length,
      )
      .toBe(11);
    // Each trigger was sent once; the failed one waits for its retry, an hour on.
    const triggers = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(triggers).toHaveLength(12);
    expect(new Set(triggers).size).toBe(12);
    const pending = (await deliveriesOf(h, webhookId)).filter((d) => d.status === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.attempt_count).toBe(1);
    expect(pending[0]!.next_attempt_at).toBeGreaterThanOrEqual(h.clock.now() + 3_000_000);
  });
});
