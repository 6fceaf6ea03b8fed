// Idempotency-Key on the three creates: a retry answers what the first request answered and
// changes nothing; another body with the same key is refused; keys last 24 hours.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idempotentTransaction } from '../../src/idempotency/idempotency.js';
import { createLogger } from '../../src/logger.js';
import { Pruner } from '../../src/retention/pruner.js';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const booking = (over: Record<string, unknown> = {}) => ({
  num: 4,
  date: '2026-12-24T19:30:00+01:00',
  name: 'Ada Lovelace',
  ...over,
});
const order = {
  type: 'pickup',
  items: [{ product_id: 'p1', name: 'Fish & chips', quantity: 2, unit_price: 1450 }],
  name: 'Grace Hopper',
};
const DAY_MS = 24 * 3600 * 1000;

describeEachDialect('Idempotency-Key', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let n = 0;
  const newKey = () => `key-${dialect}-${++n}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    [h, receiver] = await Promise.all([
      createHarness(dialect, {}, { dispatcher: true }),
      TestReceiver.start(),
    ]);
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const post = (f: TestFacility, path: string, body: unknown, key?: string, apiKey = f.key) =>
    call(h, {
      method: 'POST',
      url: `/v1/facility/${f.id}/${path}`,
      key: apiKey,
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  const count = async (table: 'bookings' | 'productorders' | 'events', f: TestFacility) =>
    Number(
      (
        await h.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('facility_id', '=', f.id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers a retried booking with the first answer, marked as replayed, and makes one booking, one event and one trigger', async () => {
    const f = await createFacility(h);
    const hook = await call(h, {
      method: 'POST',
      url: `/v1/facility/${f.id}/webhooks`,
      key: f.key,
      body: { url: receiver.url, username: 'u', password: 'p', events: ['booking_created'] },
    });
    expect(hook.status, hook.body).toBe(201);
    const before = receiver.received.length;
    const key = newKey();
    const first = await post(f, 'bookings', booking(), key);
    expect(first.status, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    h.clock.advance(60_000);
    const retry = await post(f, 'bookings', booking(), key);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect(await count('bookings', f)).toBe(1);
    expect(await count('events', f)).toBe(1);

    // A booking without a key afterwards: once its trigger is in, the first one's would be too.
    const later = await post(f, 'bookings', booking({ name: 'Later Guest' }));
    await receiver.waitFor(before + 2);
    const ids = receiver.received
      .slice(before)
      .map((r) => JSON.parse(r.body) as { id: number; facility_id: string })
      .filter((t) => t.facility_id === f.id)
      .map((t) => t.id);
    expect(ids.sort()).toEqual([first.json.id, later.json.id].sort());
    const deliveries = await h.store.db
      .selectFrom('deliveries')
      .select('resource_id')
      .where('webhook_id', '=', hook.json.id)
      .execute();
    expect(deliveries).toHaveLength(2);
  });

  it('refuses the same key with another body with a 409 naming Idempotency-Key, and creates nothing', async () => {
    const f = await createFacility(h);
    const key = newKey();
    expect((await post(f, 'bookings', booking(), key)).status).toBe(201);
    const other = await post(f, 'bookings', booking({ num: 5 }), key);
    expect(other.status).toBe(409);
    expect(other.json.error).toMatchObject({ code: 'conflict', field: 'Idempotency-Key' });
    expect(other.json.error.message).toMatch(/another request/);
    expect(await count('bookings', f)).toBe(1);
    expect(await count('events', f)).toBe(1);
  });

  it('refuses a key first used on bookings when it comes with a product order', async () => {
    const f = await createFacility(h);
    const key = newKey();
    expect((await post(f, 'bookings', booking(), key)).status).toBe(201);
    const res = await post(f, 'productorders', order, key);
    expect(res.status).toBe(409);
    expect(res.json.error.field).toBe('Idempotency-Key');
    expect(await count('productorders', f)).toBe(0);
  });

  it('takes the same fields in another order, or a default spelled out, as the same request', async () => {
    const f = await createFacility(h);
    const key = newKey();
    const first = await post(
      f,
      'bookings',
      { num: 2, date: '2026-12-24T19:30:00Z', name: 'B' },
      key,
    );
    expect(first.status).toBe(201);
    const again = await post(
      f,
      'bookings',
      { name: 'B', duration: 120, date: '2026-12-24T19:30:00Z', num: 2 },
      key,
    );
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json.id).toBe(first.json.id);
  });

  it('makes one booking and one event from concurrent requests with the same key', async () => {
    const f = await createFacility(h);
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => post(f, 'bookings', booking(), key)),
    );
    for (const a of answers) expect(a.status, a.body).toBe(201);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(3);
    expect(await count('bookings', f)).toBe(1);
    expect(await count('events', f)).toBe(1);
  });

  it('forgets a key after 24 hours: the same request then creates a second booking', async () => {
    const f = await createFacility(h);
    const key = newKey();
    const first = await post(f, 'bookings', booking(), key);
    h.clock.advance(DAY_MS - 60_000);
    const within = await post(f, 'bookings', booking(), key);
    expect(within.headers['idempotent-replayed']).toBe('true');
    h.clock.advance(60_000);
    const after = await post(f, 'bookings', booking(), key);
    expect(after.status).toBe(201);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(after.json.id).not.toBe(first.json.id);
    expect(await count('bookings', f)).toBe(2);
    // …and the new answer is the one a retry now gets.
    const retry = await post(f, 'bookings', booking(), key);
    expect(retry.json.id).toBe(after.json.id);
  });

  it('keeps keys apart by facility and by API key', async () => {
    const f = await createFacility(h);
    const g = await createFacility(h);
    const key = newKey();
    const mine = await post(f, 'bookings', booking(), key);
    const otherKey = await f.keyWith(['write']);
    const sameFacility = await post(f, 'bookings', booking(), key, otherKey);
    const otherFacility = await post(g, 'bookings', booking(), key);
    for (const res of [sameFacility, otherFacility]) {
      expect(res.status).toBe(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
    }
    expect(sameFacility.json.id).not.toBe(mine.json.id);
    expect(await count('bookings', f)).toBe(2);
    expect(await count('bookings', g)).toBe(1);
  });

  it('remembers only a successful answer: a refused request may be sent again with its key', async () => {
    const f = await createFacility(h);
    const key = newKey();
    const refused = await post(f, 'bookings', booking({ status: 'completed' }), key);
    expect(refused.status).toBe(422);
    const fixed = await post(f, 'bookings', booking(), key);
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('bookings', f)).toBe(1);
  });

  it('replays a product order (201) and an ingested event (202) the same way', async () => {
    const f = await createFacility(h);
    const orderKey = newKey();
    const o1 = await post(f, 'productorders', order, orderKey);
    const o2 = await post(f, 'productorders', order, orderKey);
    expect([o1.status, o2.status]).toEqual([201, 201]);
    expect(o2.json).toEqual(o1.json);
    expect(o2.headers['idempotent-replayed']).toBe('true');
    expect(await count('productorders', f)).toBe(1);

    const eventKey = newKey();
    const ingest = () =>
      operator(h, {
        method: 'POST',
        url: `/v1/facility/${f.id}/events`,
        body: { id: 4711, type: 'booking', action: 'BOOKING_UPDATED' },
        headers: { 'idempotency-key': eventKey },
      });
    const e1 = await ingest();
    const e2 = await ingest();
    expect([e1.status, e2.status]).toEqual([202, 202]);
    expect(e2.json).toEqual(e1.json);
    expect(e2.headers['idempotent-replayed']).toBe('true');
    expect(await count('events', f)).toBe(2); // the order's and the ingested one
  });

  it('answers 404 for a facility that does not exist, and keeps no key for it', async () => {
    const id = `later-${dialect}-${++n}`;
    const key = newKey();
    const ingest = () =>
      operator(h, {
        method: 'POST',
        url: `/v1/facility/${id}/events`,
        body: { id: 7, type: 'booking', action: 'BOOKING_CREATED' },
        headers: { 'idempotency-key': key },
      });
    const missing = await ingest();
    expect(missing.status, missing.body).toBe(404);
    expect(missing.json.error.message).toMatch(/facility/);
    await operator(h, {
      method: 'POST',
      url: '/v1/facility',
      body: { id, name: 'Later', plan: 'premium' },
    });
    const created = await ingest();
    expect(created.status).toBe(202);
    expect(created.headers['idempotent-replayed']).toBeUndefined();
  });

  it('leaves no key behind when the change fails inside its transaction, so the retry runs', async () => {
    const f = await createFacility(h);
    const call = {
      facilityId: f.id,
      principal: 'operator',
      key: newKey(),
      fingerprint: 'same-request',
      status: 201,
    };
    const run = idempotentTransaction(h.app.deps, call);
    // The key is claimed, the event recorded, and then the work fails (a lost connection, a
    // crash): the transaction takes the key with it.
    await expect(
      run(async (_trx, emit) => {
        await emit({
          facilityId: f.id,
          resourceType: 'booking',
          resourceId: 1,
          event: 'booking_created',
          source: 'ingest',
        });
        throw new Error('the process died here');
      }),
    ).rejects.toThrow('the process died here');
    expect(await count('events', f)).toBe(0);
    const rows = await h.store.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('facility_id', '=', f.id)
      .execute();
    expect(rows).toEqual([]);
    expect(await run(async () => ({ done: true }))).toEqual({ done: true });
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['holding a space', 'two words'],
    ['holding a non-ASCII character', 'clé'],
  ])('refuses a key %s with a 400 naming Idempotency-Key', async (_what, value) => {
    const f = await createFacility(h);
    const res = await post(f, 'bookings', booking(), value);
    expect(res.status, res.body).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'validation_failed', field: 'Idempotency-Key' });
    expect(await count('bookings', f)).toBe(0);
  });

  it('accepts a key of exactly 255 visible ASCII characters', async () => {
    const f = await createFacility(h);
    const res = await post(f, 'bookings', booking(), `${'!~'.repeat(127)}x`);
    expect(res.status, res.body).toBe(201);
  });

  it('lets the retention pruner delete keys whose 24 hours are over, in batches, and keep the rest', async () => {
    const f = await createFacility(h);
    const keyed = async () => (await post(f, 'bookings', booking(), newKey())).status;
    expect([await keyed(), await keyed(), await keyed()]).toEqual([201, 201, 201]);
    h.clock.advance(DAY_MS);
    const fresh = newKey();
    expect((await post(f, 'bookings', booking(), fresh)).status).toBe(201);
    const pruner = new Pruner({
      db: h.store.db,
      queue: h.queue,
      clock: h.clock,
      logger: createLogger('silent'),
      retentionDays: 30,
      batchSize: 2,
      pauseMs: 1,
    });
    const pruned = await pruner.prune();
    // Other tests' keys may have expired too; this facility's three did, its fresh one didn't.
    expect(pruned.idempotencyKeys).toBeGreaterThanOrEqual(3);
    const left = await h.store.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('facility_id', '=', f.id)
      .execute();
    expect(left.map((r) => r.key)).toEqual([fresh]);
    expect((await post(f, 'bookings', booking(), fresh)).headers['idempotent-replayed']).toBe(
      'true',
    );
  });

  it('documents the header, its limits and the 409 on the three creates in OpenAPI', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['bookings', 'productorders', 'events']) {
      const op = doc.paths[`/v1/facility/{facility_id}/${path}`].post;
      const header = op.parameters.find((p: any) => p.in === 'header');
      expect(header, path).toMatchObject({
        name: 'Idempotency-Key',
        required: false,
        schema: { type: 'string', maxLength: 255 },
      });
      expect(header.description).toMatch(/24 hours/);
      expect(Object.keys(op.responses)).toContain('409');
    }
  });
});
