// Tenant isolation, route by route from /openapi.json: facility A's key on facility B's
// resources answers 403 or 404 — the very answer a resource that does not exist gets, after
// the very same queries — leaks none of B's data and changes none of it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';
import { CountingListener } from './support/listener.js';
import {
  fill,
  type Operation,
  operationsOf,
  sample,
  withRequiredQuery,
} from './support/openapi.js';
import { type QueryShapes, withQueryShapes } from './support/query-log.js';
import { logSink, recordSecret, report } from './support/run.js';

// B's data, distinctive enough that any echo of it in an answer to A is caught.
const B_GUEST = {
  name: 'Beatrix Secretguest',
  email: 'beatrix.secret@example.com',
  phone: '+49 30 5550199',
};
const B_HOOK = {
  username: 'b-hook-user-7f3a',
  password: 'b-hook-password-91c2',
  description: 'B private notes',
};

const GHOST: Record<string, string | number> = {
  facility_id: 'no-such-facility',
  booking_id: 987_654_321,
  order_id: 987_654_322,
  webhook_id: 'wh_AAAAAAAAAAAAAAAA',
  delivery_id: 'msg_AAAAAAAAAAAAAAAA',
  key_id: 'key_AAAAAAAAAAAAAAAA',
  subscription_id: 'wh_AAAAAAAAAAAAAAAA',
};

describeEachDialect('tenant isolation on every route', (dialect) => {
  let raw: TestStore;
  let shapes: QueryShapes;
  let h: Harness;
  let a: TestFacility;
  let b: TestFacility;
  let listener: CountingListener;
  let ops: Operation[];
  const bIds: Record<string, string | number> = {};
  const leaks: string[] = [];

  beforeAll(async () => {
    raw = await createTestStore(dialect);
    const wrapped = withQueryShapes(raw);
    shapes = wrapped.shapes;
    h = await createHarness(
      dialect,
      {},
      { store: wrapped.store, logSink: logSink(`tenants-${dialect}`) },
    );
    listener = await CountingListener.start();
    a = await createFacility(h);
    b = await createFacility(h);
    recordSecret('tenant A key', a.key);
    recordSecret('tenant B key', b.key);
    recordSecret('tenant B webhook password', B_HOOK.password);
    const asB = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      call(h, { method, url: `/v1/facility/${b.id}${path}`, key: b.key, body });

    const hook = await asB('POST', '/webhooks', {
      url: `http://127.0.0.1:${listener.port}/b-only`,
      ...B_HOOK,
      events: ['booking_created', 'productorder_created'],
    });
    expect(hook.status, hook.body).toBe(201);
    const booking = await asB('POST', '/bookings', {
      num: 2,
      date: '2026-12-24T19:30:00+01:00',
      ...B_GUEST,
    });
    expect(booking.status, booking.body).toBe(201);
    const order = await asB('POST', '/productorders', {
      type: 'pickup',
      items: [
        { product_id: 'b-secret-dish', name: 'B secret dish', quantity: 1, unit_price: 1234 },
      ],
      ...B_GUEST,
    });
    expect(order.status, order.body).toBe(201);
    const subscription = await asB('POST', '/subscriptions', {
      target_url: `http://127.0.0.1:${listener.port}/b-subscription`,
      event: 'booking_updated',
    });
    expect(subscription.status, subscription.body).toBe(201);
    const deliveries = await asB('GET', `/webhooks/${hook.json.id}/deliveries`);
    const keys = await operator(h, { method: 'GET', url: `/v1/facility/${b.id}/api-keys` });
    Object.assign(bIds, {
      facility_id: b.id,
      booking_id: booking.json.id,
      order_id: order.json.id,
      webhook_id: hook.json.id,
      delivery_id: deliveries.json.objects[0].id,
      key_id: keys.json.objects[0].id,
      subscription_id: subscription.json.id,
    });
    leaks.push(
      ...Object.values(B_GUEST),
      ...Object.values(B_HOOK),
      hook.json.url,
      hook.json.signing_secret,
      `Facility ${b.id}`,
      'b-secret-dish',
      String(bIds.webhook_id),
      String(bIds.delivery_id),
      String(bIds.key_id),
      String(bIds.subscription_id),
      subscription.json.target_url,
    );
    ops = (await operationsOf(h.app)).filter((op) => op.secured);
    // Warm up A's key (last_used_at is written at most once a minute) before recording.
    await call(h, { method: 'GET', url: `/v1/facility/${a.id}`, key: a.key });
  });
  afterAll(async () => {
    await h.close();
    await listener.close();
    await raw.drop();
  });

  /** Everything of B's in the database, minus bookkeeping that reads may touch. */
  async function snapshotOfB(): Promise<string> {
    const db = raw.db;
    const byFacility = async (table: any) =>
      db
        .selectFrom(table)
        .selectAll()
        .where('facility_id', '=', b.id)
        .orderBy('facility_id')
        .execute();
    return JSON.stringify({
      facility: await db.selectFrom('facilities').selectAll().where('id', '=', b.id).execute(),
      keys: (await byFacility('api_keys')).map(({ last_used_at: _, ...k }: any) => k),
      bookings: await byFacility('bookings'),
      orders: await byFacility('productorders'),
      events: await byFacility('events'),
      webhooks: await byFacility('webhooks'),
      webhookEvents: await byFacility('webhook_events'),
      deliveries: await byFacility('deliveries'),
      attempts: await db
        .selectFrom('attempts')
        .selectAll()
        .where('webhook_id', '=', String(bIds.webhook_id))
        .execute(),
    });
  }

  const bodyOf = (op: Operation) => (op.body ? sample(op.body) : undefined);

  async function shapesOf(op: Operation, url: string, key: string) {
    let answer!: Awaited<ReturnType<typeof call>>;
    const queries = await shapes.during(async () => {
      answer = await call(h, { method: op.method, url, key, body: bodyOf(op) });
    });
    // A's key may get its last_used_at stamped by either call; that is not about B.
    return { answer, queries: queries.filter((q) => !q.includes('last_used_at')) };
  }

  it("answers A's key on each of B's routes exactly as on a facility that does not exist", async () => {
    const before = await snapshotOfB();
    const seen: Record<string, number> = {};
    for (const op of ops) {
      const label = `${op.method} ${op.path}`;
      const onB = await shapesOf(op, withRequiredQuery(op, fill(op.path, bIds)), a.key);
      const onGhost = await shapesOf(op, withRequiredQuery(op, fill(op.path, GHOST)), a.key);
      seen[label] = onB.answer.status;
      expect([401, 403, 404], `${label}: ${onB.answer.body}`).toContain(onB.answer.status);
      for (const secret of leaks) expect(onB.answer.body, label).not.toContain(secret);
      expect(onB.answer.status, label).toBe(onGhost.answer.status);
      expect(onB.answer.json, label).toEqual(onGhost.answer.json);
      // Same queries, in the same order: the answer's timing depends on nothing of B's.
      expect(onB.queries, label).toEqual(onGhost.queries);
    }
    expect(await snapshotOfB()).toBe(before);
    expect(listener.connections).toBe(0);
    expect(Object.keys(seen).length).toBeGreaterThanOrEqual(25);
    report(`tenant isolation, B's routes with A's key ${dialect}`, {
      routes: Object.keys(seen).length,
      answers: seen,
    });
  });

  it("answers 404 for B's ids under A's own path, exactly as for ids that do not exist", async () => {
    const before = await snapshotOfB();
    let checked = 0;
    let queries = 0;
    for (const op of ops.filter((o) => o.pathParams.length > 1)) {
      const label = `${op.method} ${op.path}`;
      const mine = { facility_id: a.id };
      const foreign = await shapesOf(
        op,
        withRequiredQuery(op, fill(op.path, { ...bIds, ...mine })),
        a.key,
      );
      const ghost = await shapesOf(
        op,
        withRequiredQuery(op, fill(op.path, { ...GHOST, ...mine })),
        a.key,
      );
      expect([403, 404], `${label}: ${foreign.answer.body}`).toContain(foreign.answer.status);
      for (const secret of leaks) expect(foreign.answer.body, label).not.toContain(secret);
      expect(foreign.answer.json, label).toEqual(ghost.answer.json);
      expect(foreign.queries, label).toEqual(ghost.queries);
      checked++;
      queries += foreign.queries.length;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    // The lookups really ran (and were compared), scoped by facility in the query itself.
    expect(queries).toBeGreaterThan(checked);
    expect(await snapshotOfB()).toBe(before);
    expect(listener.connections).toBe(0);
  });

  it('gives out ids nobody can enumerate: at least 96 random bits each', () => {
    for (const name of ['webhook_id', 'delivery_id', 'key_id']) {
      expect(String(bIds[name])).toMatch(/^[a-z]+_[A-Za-z0-9_-]{16,}$/);
    }
  });
});
