// The outbox promise: no change without its event. With the events table gone, the event
// insert fails, and the booking change in the same transaction must be rolled back with it.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const booking = { num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Alan Turing' };

describeEachDialect('booking changes and their events', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  let url: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    f = await createFacility(h);
    url = `/v1/facility/${f.id}/bookings`;
  });
  afterEach(() => h.close());

  const breakOutbox = () => sql`drop table events`.execute(h.store.db);
  const bookingRows = () => h.store.db.selectFrom('bookings').selectAll().execute();

  it('creates no booking when its event cannot be written', async () => {
    await breakOutbox();
    const res = await call(h, { method: 'POST', url, key: f.key, body: booking });
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(await bookingRows()).toEqual([]);
  });

  it('leaves a booking unchanged when the event of its update or cancellation fails', async () => {
    const created = await call(h, { method: 'POST', url, key: f.key, body: booking });
    const before = await bookingRows();
    await breakOutbox();
    h.clock.advance(60_000);
    for (const body of [{ num: 8, comment: 'birthday' }, { status: 'cancelled' }]) {
      const res = await call(h, {
        method: 'PATCH',
        url: `${url}/${created.json.id}`,
        key: f.key,
        body,
      });
      expect(res.status).toBe(500);
    }
    expect(await bookingRows()).toEqual(before);
    const read = await call(h, { method: 'GET', url: `${url}/${created.json.id}`, key: f.key });
    expect(read.json).toEqual(created.json);
  });

  it('keeps a booking whose deletion event fails', async () => {
    const created = await call(h, { method: 'POST', url, key: f.key, body: booking });
    await breakOutbox();
    const res = await call(h, { method: 'DELETE', url: `${url}/${created.json.id}`, key: f.key });
    expect(res.status).toBe(500);
    const read = await call(h, { method: 'GET', url: `${url}/${created.json.id}`, key: f.key });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created.json);
  });
});
