// Bad input, missing or weak keys and other tenants' ids: each gets a 4xx naming what is
// wrong, and none of them changes a row or writes an event.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const item = { product_id: 'soup', name: 'Soup of the day', quantity: 1, unit_price: 700 };
const order = (over: Record<string, unknown> = {}) => ({
  type: 'pickup',
  items: [item],
  name: 'Barbara Liskov',
  ...over,
});
const withItem = (over: Record<string, unknown>) => order({ items: [{ ...item, ...over }] });

describeEachDialect('product order input and access', (dialect) => {
  let h: Harness;
  let a: TestFacility;
  let b: TestFacility;
  let bOrder: any;
  beforeAll(async () => {
    h = await createHarness(dialect);
    a = await createFacility(h);
    b = await createFacility(h);
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${b.id}/productorders`,
      key: b.key,
      body: order(),
    });
    bOrder = res.json;
  });
  afterAll(() => h.close());

  const count = async (table: 'productorders' | 'events') =>
    Number(
      (
        await h.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const counts = async () => ({
    orders: await count('productorders'),
    events: await count('events'),
  });
  const post = (body: unknown, headers?: Record<string, string>) =>
    call(h, {
      method: 'POST',
      url: `/v1/facility/${a.id}/productorders`,
      key: a.key,
      body,
      headers,
    });

  it.each([
    ['an unknown type', order({ type: 'dine_in' }), 'type'],
    ['no items', order({ items: [] }), 'items'],
    ['101 items', order({ items: Array.from({ length: 101 }, () => item) }), 'items'],
    ['items that are not a list', order({ items: item }), 'items'],
    ['a quantity of zero', withItem({ quantity: 0 }), 'items.0.quantity'],
    ['a quantity of 1001', withItem({ quantity: 1001 }), 'items.0.quantity'],
    ['a quantity given as text', withItem({ quantity: '2' }), 'items.0.quantity'],
    ['a negative unit price', withItem({ unit_price: -1 }), 'items.0.unit_price'],
    ['a unit price in major units', withItem({ unit_price: 7.5 }), 'items.0.unit_price'],
    ['an item without a product id', withItem({ product_id: undefined }), 'items.0.product_id'],
    ['an unknown item field', withItem({ sku: 'S-1' }), 'items.0.sku'],
    ['a lower-case currency', order({ currency: 'eur' }), 'currency'],
    ['an unknown status', order({ status: 'eaten' }), 'status'],
    ['a requested time without an offset', order({ requested_time: '18:30' }), 'requested_time'],
    ['a bad email', order({ email: 'barbara@' }), 'email'],
    ['a missing name', order({ name: undefined }), 'name'],
    ['a comment of 2001 characters', order({ comment: 'x'.repeat(2001) }), 'comment'],
    [
      'an address without a city',
      order({ type: 'delivery', address: { street: 'Main St 1', postal_code: '1' } }),
      'address.city',
    ],
    [
      'an unknown address field',
      order({
        type: 'delivery',
        address: { street: 'a', city: 'b', postal_code: 'c', planet: 'Mars' },
      }),
      'address.planet',
    ],
    ['an unknown field', order({ tip: 200 }), 'tip'],
  ])('refuses %s with a 400 naming the field', async (_what, body, field) => {
    const before = await counts();
    const res = await post(body);
    expect(res.status, res.body).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'validation_failed', field });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['an empty patch', {}, undefined],
    ['a total', { total: 0 }, 'total'],
    ['a quantity of zero', { items: [{ ...item, quantity: 0 }] }, 'items.0.quantity'],
    ['a null type', { type: null }, 'type'],
  ])('refuses a PATCH with %s', async (_what, body, field) => {
    const res = await call(h, {
      method: 'PATCH',
      url: `/v1/facility/${b.id}/productorders/${bOrder.id}`,
      key: b.key,
      body,
    });
    expect(res.status, res.body).toBe(400);
    expect(res.json.error.field).toBe(field);
  });

  it.each([
    ['status=eaten', 'status.0'],
    ['type=dine_in', 'type'],
    ['limit=abc', 'limit'],
    ['sort=total', 'sort'],
  ])('refuses the list query %s naming the parameter', async (query, field) => {
    const res = await call(h, {
      method: 'GET',
      url: `/v1/facility/${a.id}/productorders?${query}`,
      key: a.key,
    });
    expect(res.status, res.body).toBe(400);
    expect(res.json.error.field).toBe(field);
  });

  it('refuses malformed JSON, other content types and bodies over 1 MiB', async () => {
    const before = await counts();
    const json = { 'content-type': 'application/json' };
    const broken = await post('{"type": "pickup",', json);
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('invalid_json');
    const form = await post('type=pickup', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const huge = await post(JSON.stringify(order({ comment: 'x'.repeat(1024 * 1024) })), json);
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('payload_too_large');
    expect(await counts()).toEqual(before);
  });

  it('answers 401 without a key and 403 to a key without the needed scope', async () => {
    const base = `/v1/facility/${b.id}/productorders`;
    const member = `${base}/${bOrder.id}`;
    const writes = [
      { method: 'POST', url: base, body: order() },
      { method: 'PATCH', url: member, body: { status: 'accepted' } },
      { method: 'DELETE', url: member },
    ] as const;
    const reads = [
      { method: 'GET', url: base },
      { method: 'GET', url: member },
    ] as const;
    for (const r of [...reads, ...writes]) {
      expect((await call(h, r)).status, `${r.method} ${r.url}`).toBe(401);
    }
    const reader = await b.keyWith(['read']);
    const hooks = await b.keyWith(['webhooks']);
    for (const r of writes) {
      const res = await call(h, { ...r, key: reader });
      expect(res.status, r.method).toBe(403);
      expect(res.json.error.code).toBe('forbidden');
    }
    for (const r of reads) {
      expect((await call(h, { ...r, key: reader })).status).toBe(200);
      expect((await call(h, { ...r, key: hooks })).status).toBe(403);
    }
    const still = await call(h, { method: 'GET', url: member, key: b.key });
    expect(still.json).toEqual(bOrder);
  });

  it("answers 404, never data, when one facility's key reaches for another's order", async () => {
    const id = bOrder.id;
    for (const path of [
      `/v1/facility/${a.id}/productorders/${id}`,
      `/v1/facility/${b.id}/productorders/${id}`,
    ]) {
      for (const r of [
        { method: 'GET', url: path },
        { method: 'PATCH', url: path, body: { status: 'cancelled' } },
        { method: 'DELETE', url: path },
      ] as const) {
        const res = await call(h, { ...r, key: a.key });
        expect(res.status, `${r.method} ${r.url}`).toBe(404);
        expect(res.body).not.toContain('Liskov');
      }
    }
    const list = await call(h, {
      method: 'GET',
      url: `/v1/facility/${b.id}/productorders`,
      key: a.key,
    });
    expect(list.status).toBe(404);
    const still = await call(h, {
      method: 'GET',
      url: `/v1/facility/${b.id}/productorders/${id}`,
      key: b.key,
    });
    expect(still.json).toEqual(bOrder);
    const events = await h.store.db
      .selectFrom('events')
      .select('event')
      .where('resource_type', '=', 'productorder')
      .where('resource_id', '=', id)
      .execute();
    expect(events).toEqual([{ event: 'productorder_created' }]);
  });
});
