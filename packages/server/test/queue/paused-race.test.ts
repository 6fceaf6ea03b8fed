// the dispatcher's "paused" path (a claimed delivery whose webhook looked inactive)
// must check the webhook again when the batch is written: if the webhook was enabled between
// the dispatcher's read of its targets and the write, a delivery held `paused` on an enabled
// webhook would never be resumed, and every later trigger about the resource would wait
// `blocked` behind it forever. And a delivery moved up behind a finished one while its
// webhook is disabled is held, not left due.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { Sender } from '../../src/dispatcher/sender.js';
import { createLogger } from '../../src/logger.js';
import type { DeliveryQueue } from '../../src/queue/queue.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { noJitter } from '../support/clock.js';
import {
  addWebhook,
  createFacility,
  type FacilityApi,
  facilityApi,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness, TEST_SECRET_KEY } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

describeEachDialect('paused path vs re-enable', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;
  let dispatcher: Dispatcher | undefined;
  let sender: Sender;

  beforeEach(async () => {
    h = await createHarness(dialect, {
      pollIntervalMs: 200,
      leaseMs: 10_000,
      deliveryTimeoutMs: 2_000,
    });
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(async () => {
    await dispatcher?.stop();
    await sender?.close();
    await h.close();
    await receiver.close();
  });

  function startDispatcher(queue: DeliveryQueue) {
    const logger = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));
    sender = new Sender({
      timeoutMs: h.config.deliveryTimeoutMs,
      bodyLimit: h.config.responseBodyLimit,
      policy: { allowedCidrs: h.config.allowedTargets },
      clock: h.clock,
    });
    dispatcher = new Dispatcher({
      store: h.store,
      queue,
      publicUrl: () => 'http://127.0.0.1:3000',
      config: h.config,
      clock: h.clock,
      random: noJitter,
      secretBox: new SecretBox(Buffer.from(TEST_SECRET_KEY, 'base64'), noJitter.bytes),
      sender,
      logger,
      wakeup: h.wakeup,
    });
    dispatcher.start();
  }

  it('a booking’s triggers are sent once the webhook is enabled again', async () => {
    const wid = (
      await addWebhook(api, { url: receiver.url, events: ['booking_created', 'booking_updated'] })
    ).id;
    const booking = (await api('POST', '/bookings', BOOKING)).json.id as number;
    await api('PATCH', `/bookings/${booking}`, { num: 3 }); // blocked behind the created one
    // The created trigger is being sent (claimed by a dispatcher) when its owner disables the
    // webhook; it succeeds, and the update behind it moves up: pending, on a disabled webhook.
    const now = h.clock.now();
    const [head] = await h.queue.claim({
      now,
      leaseUntil: now + 10_000,
      dispatcherId: 'dsp_other',
      limit: 1,
      perWebhook: 1,
      excludeWebhooks: [],
    });
    expect((await api('PATCH', `/webhooks/${wid}`, { enabled: false })).status).toBe(200);
    await h.queue.complete({
      leasedBy: 'dsp_other',
      now,
      attempts: [],
      updates: [
        {
          id: head!.id,
          status: 'succeeded',
          tries: 1,
          attempt_count: 1,
          next_attempt_at: now,
          last_attempt_at: now,
          last_status_code: 200,
          last_error: null,
          succeeded_at: now,
        },
      ],
      paused: [],
      finals: [{ webhookId: wid, resourceType: 'booking', resourceId: booking }],
      verdicts: [],
      judge: () => ({ failingSince: null, disable: undefined }),
    });
    // The update moved up, but held: its webhook is disabled (enabling resumes it).
    const held = await h.store.db
      .selectFrom('deliveries')
      .select(['id', 'status'])
      .where('resource_id', '=', booking)
      .where('event', '=', 'booking_updated')
      .executeTakeFirstOrThrow();
    expect(held.status).toBe('paused');
    // Had it been left due (as another writer might), a dispatcher claims it, reads the
    // webhook (disabled) and puts it on hold — and the owner enables the webhook right then,
    // after the read, before the batch is written.
    await h.store.db
      .updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: h.clock.now() })
      .where('id', '=', held.id)
      .execute();
    let raced = false;
    const queue = new Proxy(h.queue, {
      get(target, prop, receiverObj) {
        if (prop === 'complete') {
          return async (batch: Parameters<DeliveryQueue['complete']>[0]) => {
            if (!raced && batch.paused.length > 0) {
              raced = true;
              const res = await api('PATCH', `/webhooks/${wid}`, { enabled: true });
              expect(res.status).toBe(200);
            }
            return target.complete(batch);
          };
        }
        const v = Reflect.get(target, prop, receiverObj);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    startDispatcher(queue);
    await expect.poll(() => raced, { timeout: 5_000 }).toBe(true);
    // Later news about the booking, and a new booking (the control: the dispatcher works).
    await api('PATCH', `/bookings/${booking}`, { num: 4 });
    const other = (await api('POST', '/bookings', BOOKING)).json.id as number;
    h.wakeup.wake();
    const webhook = (await api('GET', `/webhooks/${wid}`)).json;
    expect(webhook.enabled).toBe(true);
    await expect
      .poll(() => receiver.received.some((r) => JSON.parse(r.body).id === other), {
        timeout: 5_000,
      })
      .toBe(true);
    const line = () =>
      h.store.db
        .selectFrom('deliveries')
        .select(['event', 'status'])
        .where('resource_id', '=', booking)
        .orderBy('sequence')
        .execute();
    // The webhook is enabled, on the premium plan, with a dispatcher running: the booking's
    // update triggers must arrive, not stay paused forever with anything later about the
    // booking blocked behind it. (Whether the two updates coalesce into one trigger depends
    // on whether the first was already sent when the second came, so both counts are right.)
    await expect
      .poll(async () => (await line()).map((d) => d.status), { timeout: 10_000 })
      .toSatisfy((s: string[]) => s.length >= 2 && s.every((x) => x === 'succeeded'));
    expect((await line()).at(-1)?.event).toBe('booking_updated');
  }, 20_000);
});
