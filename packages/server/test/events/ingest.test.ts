// The operator's booking system pushes events; they go through the same outbox as ours.
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

describeEachDialect('event ingest', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  beforeAll(async () => {
    h = await createHarness(dialect);
    f = await createFacility(h);
  });
  afterAll(() => h.close());

  const url = (facilityId: string) => `/v1/facility/${facilityId}/events`;
  const ingest = (body: unknown, facilityId = f.id) =>
    operator(h, { method: 'POST', url: url(facilityId), body });
  const eventRows = (facilityId: string) =>
    h.store.db
      .selectFrom('events')
      .selectAll()
      .where('facility_id', '=', facilityId)
      .orderBy('id')
      .execute();

  it('records an operator event with source ingest and answers 202 with its id', async () => {
    const g = await createFacility(h);
    const res = await ingest({ id: 51918313, type: 'booking', action: 'BOOKING_CREATED' }, g.id);
    expect(res.status, res.body).toBe(202);
    expect(res.json).toEqual({
      event_id: expect.any(Number),
      facility_id: g.id,
      type: 'booking',
      id: 51918313,
      action: 'BOOKING_CREATED',
    });
    expect(await eventRows(g.id)).toEqual([
      {
        id: res.json.event_id,
        facility_id: g.id,
        resource_type: 'booking',
        resource_id: 51918313,
        event: 'booking_created',
        source: 'ingest',
        created_at: expect.any(Number),
      },
    ]);
  });

  it('accepts each of the six actions on its own type', async () => {
    const g = await createFacility(h);
    const actions = [
      ['booking', 'BOOKING_CREATED'],
      ['booking', 'BOOKING_UPDATED'],
      ['booking', 'BOOKING_DELETED'],
      ['productorder', 'PRODUCTORDER_CREATED'],
      ['productorder', 'PRODUCTORDER_UPDATED'],
      ['productorder', 'PRODUCTORDER_DELETED'],
    ];
    for (const [type, action] of actions) {
      expect((await ingest({ id: 7, type, action }, g.id)).status).toBe(202);
    }
    const rows = await eventRows(g.id);
    expect(rows.map((r) => [r.resource_type, r.event])).toEqual(
      actions.map(([type, action]) => [type, action!.toLowerCase()]),
    );
  });

  it('fans out to subscribed webhooks and wakes the dispatcher, like an API change', async () => {
    const now = h.clock.now();
    await h.store.db
      .insertInto('webhooks')
      .values({
        id: `wh_ingest_${dialect}`,
        facility_id: f.id,
        url: 'http://127.0.0.1:9/hook',
        username: 'u',
        password_enc: 'not-used-here',
        signing_secret_enc: null,
        events: 'productorder_updated',
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
        description: '',
        ordering: 'per_resource',
        coalesce_updates: 1,
        supersede_on_delete: 1,
        max_age_hours: null,
        failing_since: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await h.store.db
      .insertInto('webhook_events')
      .values({
        webhook_id: `wh_ingest_${dialect}`,
        facility_id: f.id,
        event: 'productorder_updated',
      })
      .execute();
    const wakeups = h.wakeups.count;
    const res = await ingest({ id: 99, type: 'productorder', action: 'PRODUCTORDER_UPDATED' });
    expect(res.status).toBe(202);
    const deliveries = await h.store.db
      .selectFrom('deliveries')
      .select(['webhook_id', 'event_id', 'resource_type', 'resource_id', 'event', 'status'])
      .where('facility_id', '=', f.id)
      .execute();
    expect(deliveries).toEqual([
      {
        webhook_id: `wh_ingest_${dialect}`,
        event_id: res.json.event_id,
        resource_type: 'productorder',
        resource_id: 99,
        event: 'productorder_updated',
        status: 'pending',
      },
    ]);
    expect(h.wakeups.count).toBe(wakeups + 1);
  });

  // A creation's deliveries usually go in with its sequences in one statement (PostgreSQL,
  // queue/sql/first-deliveries.ts); one whose resource already has a line must not.
  it('numbers a created event after the ones already queued for its resource', async () => {
    const g = await createFacility(h);
    const hooks = [];
    for (const url of ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']) {
      hooks.push(await addWebhook(facilityApi(h, g), { url, events: ['booking_created'] }));
    }
    const lines = async (resourceId: number) =>
      h.store.db
        .selectFrom('deliveries')
        .select(['webhook_id', 'status', 'sequence'])
        .where('facility_id', '=', g.id)
        .where('resource_id', '=', resourceId)
        .orderBy('webhook_id')
        .orderBy('sequence')
        .execute();
    const created = { type: 'booking', action: 'BOOKING_CREATED' };
    const wakeups = h.wakeups.count;
    expect((await ingest({ id: 700, ...created }, g.id)).status).toBe(202);
    expect(h.wakeups.count).toBe(wakeups + 1);
    const sorted = hooks.map((w) => w.id as string).sort();
    expect(await lines(700)).toEqual(
      sorted.map((id) => ({ webhook_id: id, status: 'pending', sequence: 1 })),
    );
    // The same resource created again (a system that resends): it waits behind the first.
    expect((await ingest({ id: 700, ...created }, g.id)).status).toBe(202);
    expect(await lines(700)).toEqual(
      sorted.flatMap((id) => [
        { webhook_id: id, status: 'pending', sequence: 1 },
        { webhook_id: id, status: 'blocked', sequence: 2 },
      ]),
    );
    // Another resource starts its own line; once its facility is on the free plan, its
    // deliveries are held, and nothing wakes the dispatchers.
    const free = await createFacility(h);
    const held = await addWebhook(facilityApi(h, free), {
      url: 'http://127.0.0.1:9/c',
      events: ['booking_created'],
    });
    const url = `/v1/facility/${free.id}`;
    expect((await operator(h, { method: 'PATCH', url, body: { plan: 'free' } })).status).toBe(200);
    const before = h.wakeups.count;
    expect((await ingest({ id: 701, ...created }, free.id)).status).toBe(202);
    const rows = await h.store.db
      .selectFrom('deliveries')
      .select(['webhook_id', 'status', 'sequence', 'event_id'])
      .where('facility_id', '=', free.id)
      .execute();
    expect(rows).toEqual([
      { webhook_id: held.id, status: 'paused', sequence: 1, event_id: expect.any(Number) },
    ]);
    expect(h.wakeups.count).toBe(before);
  });

  it('refuses an action that does not belong to the type with a 422 naming action', async () => {
    const before = (await eventRows(f.id)).length;
    for (const body of [
      { id: 1, type: 'booking', action: 'PRODUCTORDER_CREATED' },
      { id: 1, type: 'productorder', action: 'BOOKING_DELETED' },
    ]) {
      const res = await ingest(body);
      expect(res.status).toBe(422);
      expect(res.json.error).toMatchObject({ code: 'unprocessable', field: 'action' });
    }
    expect(await eventRows(f.id)).toHaveLength(before);
  });

  it.each([
    ['an unknown action', { id: 1, type: 'booking', action: 'BOOKING_EXPLODED' }, 'action'],
    ['a lower-case action', { id: 1, type: 'booking', action: 'booking_created' }, 'action'],
    ['an unknown type', { id: 1, type: 'table', action: 'BOOKING_CREATED' }, 'type'],
    ['an id of zero', { id: 0, type: 'booking', action: 'BOOKING_CREATED' }, 'id'],
    ['an id given as text', { id: '5', type: 'booking', action: 'BOOKING_CREATED' }, 'id'],
    ['a missing id', { type: 'booking', action: 'BOOKING_CREATED' }, 'id'],
    ['an unknown field', { id: 1, type: 'booking', action: 'BOOKING_CREATED', name: 'x' }, 'name'],
  ])('refuses %s with a 400 naming the field', async (_what, body, field) => {
    const res = await ingest(body);
    expect(res.status, res.body).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'validation_failed', field });
  });

  it('is for the operator only: 401 without a key, 403 with a facility key', async () => {
    const body = { id: 1, type: 'booking', action: 'BOOKING_CREATED' };
    const before = (await eventRows(f.id)).length;
    const anonymous = await call(h, { method: 'POST', url: url(f.id), body });
    expect(anonymous.status).toBe(401);
    const facilityKey = await call(h, { method: 'POST', url: url(f.id), key: f.key, body });
    expect(facilityKey.status).toBe(403);
    expect(facilityKey.json.error.code).toBe('forbidden');
    expect(await eventRows(f.id)).toHaveLength(before);
  });

  it('answers 404 for a facility that does not exist and records nothing', async () => {
    const res = await ingest({ id: 1, type: 'booking', action: 'BOOKING_CREATED' }, 'nowhere');
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'not_found', message: 'facility not found' });
    expect(await eventRows('nowhere')).toEqual([]);
  });

  it('refuses malformed JSON', async () => {
    const res = await operator(h, {
      method: 'POST',
      url: url(f.id),
      body: '{"id": 1,,}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_json');
  });
});
