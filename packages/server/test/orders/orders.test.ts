import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const customer = { name: 'Edsger Dijkstra', email: 'ewd@example.com', phone: '+31 20 555 0100' };
const address = { street: 'Plantage Muidergracht 12', city: 'Amsterdam', postal_code: '1018 TV' };
const items = [
  { product_id: 'pizza-margherita', name: 'Margherita', quantity: 2, unit_price: 950 },
  { product_id: 'tiramisu', name: 'Tiramisu', quantity: 1, unit_price: 650 },
];
const order = (over: Record<string, unknown> = {}) => ({
  type: 'pickup',
  items,
  requested_time: '2026-12-24T18:15:00+01:00',
  ...customer,
  ...over,
});

describeEachDialect('product orders', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  beforeAll(async () => {
    h = await createHarness(dialect);
    f = await createFacility(h);
  });
  afterAll(() => h.close());

  const url = (id?: number) =>
    `/v1/facility/${f.id}/productorders${id === undefined ? '' : `/${id}`}`;
  const post = (body: unknown) => call(h, { method: 'POST', url: url(), key: f.key, body });
  const create = async (over: Record<string, unknown> = {}) => {
    const res = await post(order(over));
    expect(res.status, res.body).toBe(201);
    return res.json;
  };
  const patch = (id: number, body: unknown) =>
    call(h, { method: 'PATCH', url: url(id), key: f.key, body });
  const eventsFor = async (id: number) =>
    (
      await h.store.db
        .selectFrom('events')
        .selectAll()
        .where('resource_type', '=', 'productorder')
        .where('resource_id', '=', id)
        .orderBy('id')
        .execute()
    ).map((e) => e.event);

  it('creates an order with the total computed from its items, and reads it back', async () => {
    const created = await create({ comment: 'extra basil' });
    expect(created).toMatchObject({
      facility_id: f.id,
      type: 'pickup',
      items,
      total: 2 * 950 + 650,
      currency: 'EUR',
      status: 'received',
      requested_time: '2026-12-24T18:15:00+01:00',
      ...customer,
      address: null,
      comment: 'extra basil',
    });
    expect(created.id).toBeGreaterThan(0);
    expect(created.updated_at).toBe(created.created_at);
    const read = await call(h, { method: 'GET', url: url(created.id), key: f.key });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created);
  });

  it('refuses a total sent by the client: the server computes it', async () => {
    const res = await post(order({ total: 1 }));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'validation_failed', field: 'total' });
  });

  it('stores a delivery with its address and another currency', async () => {
    const created = await create({
      type: 'delivery',
      address: { ...address, country: 'NL', details: '3rd floor' },
      currency: 'CHF',
      status: 'accepted',
    });
    expect(created).toMatchObject({
      type: 'delivery',
      address: { ...address, country: 'NL', details: '3rd floor' },
      currency: 'CHF',
      status: 'accepted',
    });
  });

  it('refuses a delivery without an address and a pickup with one, with a 422', async () => {
    for (const over of [
      { type: 'delivery' },
      { type: 'delivery', address: null },
      { type: 'pickup', address },
    ]) {
      const res = await post(order(over));
      expect(res.status, JSON.stringify(over)).toBe(422);
      expect(res.json.error).toMatchObject({ code: 'unprocessable', field: 'address' });
    }
  });

  it('writes exactly one productorder_created event holding no personal data', async () => {
    const g = await createFacility(h);
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${g.id}/productorders`,
      key: g.key,
      body: order({ type: 'delivery', address }),
    });
    const rows = await h.store.db
      .selectFrom('events')
      .selectAll()
      .where('facility_id', '=', g.id)
      .execute();
    expect(rows).toEqual([
      {
        id: expect.any(Number),
        facility_id: g.id,
        resource_type: 'productorder',
        resource_id: res.json.id,
        event: 'productorder_created',
        source: 'api',
        created_at: expect.any(Number),
      },
    ]);
    const stored = JSON.stringify(rows);
    for (const value of [...Object.values(customer), address.street, 'Margherita']) {
      expect(stored).not.toContain(value);
    }
  });

  it('recomputes the total when the items change, and emits productorder_updated', async () => {
    const created = await create();
    const res = await patch(created.id, {
      items: [{ product_id: 'lasagne', name: 'Lasagne', quantity: 3, unit_price: 1200 }],
      comment: null,
    });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ total: 3600, comment: null, name: customer.name });
    expect(await eventsFor(created.id)).toEqual(['productorder_created', 'productorder_updated']);
  });

  it('turns a pickup into a delivery only with an address, and back again without one', async () => {
    const created = await create();
    const bare = await patch(created.id, { type: 'delivery' });
    expect(bare.status).toBe(422);
    expect(bare.json.error.field).toBe('address');
    const delivery = await patch(created.id, { type: 'delivery', address });
    expect(delivery.status, delivery.body).toBe(200);
    expect(delivery.json.address).toEqual(address);
    const cleared = await patch(created.id, { address: null });
    expect(cleared.status).toBe(422);
    const pickup = await patch(created.id, { type: 'pickup' });
    expect(pickup.json).toMatchObject({ type: 'pickup', address: null });
  });

  it('moves received → accepted → ready → completed, one step at a time', async () => {
    const created = await create();
    const skip = await patch(created.id, { status: 'ready' });
    expect(skip.status).toBe(422);
    expect(skip.json.error).toMatchObject({ code: 'unprocessable', field: 'status' });
    for (const status of ['accepted', 'ready', 'completed']) {
      const res = await patch(created.id, { status });
      expect(res.json.status).toBe(status);
    }
    // Completed is final: paid and handed over.
    const late = await patch(created.id, { comment: 'too late' });
    expect(late.status).toBe(422);
    expect(late.json.error.field).toBe('status');
    expect(await eventsFor(created.id)).toEqual([
      'productorder_created',
      'productorder_updated',
      'productorder_updated',
      'productorder_updated',
    ]);
  });

  it('cancels with a PATCH, emitting productorder_deleted, and then refuses changes', async () => {
    const created = await create({ status: 'accepted' });
    const res = await patch(created.id, { status: 'cancelled' });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('cancelled');
    for (const body of [{ status: 'accepted' }, { name: 'Someone Else' }]) {
      const again = await patch(created.id, body);
      expect(again.status).toBe(422);
      expect(again.json.error.field).toBe('status');
    }
    expect(await eventsFor(created.id)).toEqual(['productorder_created', 'productorder_deleted']);
  });

  it('refuses to create an order that is already ready, completed or cancelled', async () => {
    for (const status of ['ready', 'completed', 'cancelled']) {
      const res = await post(order({ status }));
      expect(res.status).toBe(422);
      expect(res.json.error.field).toBe('status');
    }
  });

  it('deletes with DELETE: 204, then 404, and productorder_deleted is emitted', async () => {
    const created = await create();
    expect((await call(h, { method: 'DELETE', url: url(created.id), key: f.key })).status).toBe(
      204,
    );
    const read = await call(h, { method: 'GET', url: url(created.id), key: f.key });
    expect(read.status).toBe(404);
    expect(read.json.error.message).toBe('product order not found');
    expect((await call(h, { method: 'DELETE', url: url(created.id), key: f.key })).status).toBe(
      404,
    );
    expect(await eventsFor(created.id)).toEqual(['productorder_created', 'productorder_deleted']);
  });

  it('lists newest first with limit, offset, total_count and status and type filters', async () => {
    const g = await createFacility(h);
    const base = `/v1/facility/${g.id}/productorders`;
    const ids: number[] = [];
    for (const over of [
      {},
      { status: 'accepted' },
      { type: 'delivery', address },
      { status: 'accepted', type: 'delivery', address },
      {},
    ]) {
      const res = await call(h, { method: 'POST', url: base, key: g.key, body: order(over) });
      ids.push(res.json.id);
    }
    const list = async (q: string) => {
      const res = await call(h, { method: 'GET', url: `${base}?${q}`, key: g.key });
      expect(res.status, res.body).toBe(200);
      return { ids: res.json.objects.map((o: any) => o.id), meta: res.json.meta };
    };
    const [o1, o2, o3, o4, o5] = ids;
    expect(await list('limit=2')).toEqual({
      ids: [o5, o4],
      meta: { limit: 2, offset: 0, total_count: 5 },
    });
    expect((await list('limit=2&offset=4')).ids).toEqual([o1]);
    expect(await list('status=accepted')).toMatchObject({
      ids: [o4, o2],
      meta: { total_count: 2 },
    });
    expect((await list('type=delivery')).ids).toEqual([o4, o3]);
    expect((await list('type=pickup&status=received&status=accepted')).ids).toEqual([o5, o2, o1]);
    expect((await list('status=ready')).meta.total_count).toBe(0);
  });

  it('answers 404 for a facility that does not exist, even to the operator', async () => {
    const base = '/v1/facility/no-such-place/productorders';
    expect((await operator(h, { method: 'GET', url: base })).status).toBe(404);
    const res = await operator(h, { method: 'POST', url: base, body: order() });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe('facility not found');
  });
});
