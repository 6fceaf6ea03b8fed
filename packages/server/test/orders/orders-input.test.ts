// Bad fields: each gets a 400 naming the field, and none changes a row or writes an event.
// What bookings and orders answer alike (bad JSON, ids, keys, scopes, other tenants) is
// test/core/resource-access.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, rowCounts, type TestFacility } from '../support/fixtures.js';
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

  const counts = () => rowCounts(h, 'productorders');
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
});
