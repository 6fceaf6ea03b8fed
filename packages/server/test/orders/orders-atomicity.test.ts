// No change without its event: when the outbox insert fails, the order change rolls back.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const order = {
  type: 'delivery',
  items: [{ product_id: 'ramen', name: 'Ramen', quantity: 2, unit_price: 1400 }],
  name: 'Donald Knuth',
  address: { street: 'Serra Mall 1', city: 'Stanford', postal_code: '94305' },
};

describeEachDialect('product order changes and their events', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  let url: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    f = await createFacility(h);
    url = `/v1/facility/${f.id}/productorders`;
  });
  afterEach(() => h.close());

  const breakOutbox = () => sql`drop table events`.execute(h.store.db);
  const orderRows = () => h.store.db.selectFrom('productorders').selectAll().execute();

  it('creates no order when its event cannot be written', async () => {
    await breakOutbox();
    const res = await call(h, { method: 'POST', url, key: f.key, body: order });
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('internal');
    expect(await orderRows()).toEqual([]);
  });

  it('leaves an order as it was when the event of an update, cancel or delete fails', async () => {
    const created = await call(h, { method: 'POST', url, key: f.key, body: order });
    const member = `${url}/${created.json.id}`;
    const before = await orderRows();
    await breakOutbox();
    h.clock.advance(60_000);
    const attempts = [
      {
        method: 'PATCH',
        body: { status: 'accepted', items: [{ ...order.items[0], quantity: 9 }] },
      },
      { method: 'PATCH', body: { status: 'cancelled' } },
      { method: 'DELETE' },
    ] as const;
    for (const a of attempts) {
      const res = await call(h, { ...a, url: member, key: f.key });
      expect(res.status, a.method).toBe(500);
    }
    expect(await orderRows()).toEqual(before);
    const read = await call(h, { method: 'GET', url: member, key: f.key });
    expect(read.json).toEqual(created.json);
  });
});
