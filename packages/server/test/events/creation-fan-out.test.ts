// A creation through the API queues its resource's first deliveries with it: on PostgreSQL
// in one statement (events/create-in-one-statement.ts), on SQLite in the general
// transaction. What a user sees must be the same on both: one delivery per subscribed,
// enabled webhook, due now (held on the free plan), first in its resource's line, with an
// unguessable id; and a resource an operator already queued events for waits in its line.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  addWebhook,
  call,
  createFacility,
  facilityApi,
  operator,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const booking = { num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Ada Lovelace' };
const order = {
  type: 'pickup',
  items: [{ product_id: 'tiramisu', name: 'Tiramisu', quantity: 1, unit_price: 650 }],
  requested_time: '2026-12-24T18:15:00+01:00',
  name: 'Edsger Dijkstra',
};

describeEachDialect('a creation and its deliveries', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const deliveriesOf = (facilityId: string) =>
    h.store.db
      .selectFrom('deliveries')
      .select(['id', 'webhook_id', 'event_id', 'resource_id', 'event', 'status', 'sequence'])
      .where('facility_id', '=', facilityId)
      .orderBy('webhook_id')
      .orderBy('sequence')
      .execute();
  const eventsOf = (facilityId: string) =>
    h.store.db
      .selectFrom('events')
      .select(['id', 'resource_id', 'event', 'source'])
      .where('facility_id', '=', facilityId)
      .orderBy('id')
      .execute();
  const create = async (f: TestFacility, path: string, body: unknown) => {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${f.id}${path}`,
      key: f.key,
      body,
    });
    expect(res.status, res.body).toBe(201);
    return res.json as { id: number };
  };

  /** A facility with three webhooks: two take the event, one of those is disabled. */
  async function facilityWithWebhooks(events: string[]) {
    const f = await createFacility(h);
    const api = facilityApi(h, f);
    const on = [];
    for (const name of ['a', 'b']) {
      on.push(await addWebhook(api, { url: `http://127.0.0.1:9/${name}`, events }));
    }
    const off = await addWebhook(api, { url: 'http://127.0.0.1:9/off', events });
    expect((await api('PATCH', `/webhooks/${off.id}`, { enabled: false })).status).toBe(200);
    await addWebhook(api, { url: 'http://127.0.0.1:9/other', events: ['booking_deleted'] });
    return { f, on: on.map((w) => w.id as string).sort() };
  }

  it('queues one delivery per subscribed, enabled webhook with the booking, and wakes the dispatcher', async () => {
    const { f, on } = await facilityWithWebhooks(['booking_created']);
    const wakeups = h.wakeups.count;
    const created = await create(f, '/bookings', booking);
    expect(h.wakeups.count).toBe(wakeups + 1);
    const events = await eventsOf(f.id);
    expect(events).toEqual([
      { id: expect.any(Number), resource_id: created.id, event: 'booking_created', source: 'api' },
    ]);
    const deliveries = await deliveriesOf(f.id);
    expect(deliveries).toEqual(
      on.map((webhookId) => ({
        id: expect.stringMatching(/^msg_[A-Za-z0-9_-]{16}$/),
        webhook_id: webhookId,
        event_id: events[0]!.id,
        resource_id: created.id,
        event: 'booking_created',
        status: 'pending',
        sequence: 1,
      })),
    );
    // Every delivery's id is its own, and the next creation's are new ones.
    const second = await create(f, '/bookings', booking);
    const ids = (await deliveriesOf(f.id)).map((d) => d.id);
    expect(new Set(ids).size).toBe(4);
    expect((await deliveriesOf(f.id)).filter((d) => d.resource_id === second.id)).toHaveLength(2);
  });

  it('does the same for a product order, and shows the delivery in the log', async () => {
    const { f, on } = await facilityWithWebhooks(['productorder_created']);
    const created = await create(f, '/productorders', order);
    const deliveries = await deliveriesOf(f.id);
    expect(deliveries.map((d) => [d.webhook_id, d.resource_id, d.event, d.status])).toEqual(
      on.map((w) => [w, created.id, 'productorder_created', 'pending']),
    );
    const log = await facilityApi(h, f)('GET', `/webhooks/${on[0]}/deliveries`);
    expect(log.status, log.body).toBe(200);
    expect(JSON.stringify(log.json)).toContain(deliveries[0]!.id);
  });

  it('holds the deliveries on the free plan, without waking anyone', async () => {
    const { f, on } = await facilityWithWebhooks(['booking_created']);
    const downgrade = {
      method: 'PATCH' as const,
      url: `/v1/facility/${f.id}`,
      body: { plan: 'free' },
    };
    expect((await operator(h, downgrade)).status).toBe(200);
    const wakeups = h.wakeups.count;
    await create(f, '/bookings', booking);
    expect((await deliveriesOf(f.id)).map((d) => [d.webhook_id, d.status])).toEqual(
      on.map((w) => [w, 'paused']),
    );
    expect(h.wakeups.count).toBe(wakeups);
  });

  it('queues a new booking behind the events an operator already sent for its id', async () => {
    const { f, on } = await facilityWithWebhooks(['booking_created']);
    const first = await create(f, '/bookings', booking);
    // The operator's system announces the next bookings before they are made here.
    const announced = [first.id + 1, first.id + 2, first.id + 3];
    for (const id of announced) {
      const ingested = await operator(h, {
        method: 'POST',
        url: `/v1/facility/${f.id}/events`,
        body: { id, type: 'booking', action: 'BOOKING_CREATED' },
      });
      expect(ingested.status, ingested.body).toBe(202);
    }
    // Its id is one of them (on PostgreSQL a one-statement attempt that found the line and
    // rolled back may have used up one id, as any rolled-back insert does).
    const created = await create(f, '/bookings', booking);
    expect(announced).toContain(created.id);
    // Nothing of a rolled-back attempt is left: two bookings, and only the operator's event
    // for any other announced id.
    const rows = await h.store.db
      .selectFrom('bookings')
      .select('id')
      .where('facility_id', '=', f.id)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.id)).toEqual([first.id, created.id]);
    const events = await eventsOf(f.id);
    for (const id of announced) {
      expect(events.filter((e) => e.resource_id === id).map((e) => e.source)).toEqual(
        id === created.id ? ['ingest', 'api'] : ['ingest'],
      );
    }
    // In each webhook's line the new booking's delivery waits behind the operator's.
    const line = (await deliveriesOf(f.id)).filter((d) => d.resource_id === created.id);
    expect(line.map((d) => [d.webhook_id, d.status, d.sequence])).toEqual(
      on.flatMap((w) => [
        [w, 'pending', 1],
        [w, 'blocked', 2],
      ]),
    );
  });

  it('answers 404 for a facility that does not exist and writes nothing', async () => {
    const before = await h.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const res = await operator(h, {
      method: 'POST',
      url: '/v1/facility/nope/bookings',
      body: booking,
    });
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'not_found', message: 'facility not found' });
    const after = await h.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
