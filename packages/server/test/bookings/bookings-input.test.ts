// Bad fields: each gets a 400 naming the field, and none changes a row or writes an event.
// What bookings and orders answer alike (bad JSON, ids, keys, scopes, other tenants) is
// test/core/resource-access.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, rowCounts, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const booking = (over: Record<string, unknown> = {}) => ({
  num: 2,
  date: '2026-12-24T19:30:00+01:00',
  name: 'Grace Hopper',
  email: 'grace@example.com',
  ...over,
});

describeEachDialect('booking input and access', (dialect) => {
  let h: Harness;
  let a: TestFacility;
  let b: TestFacility;
  let bBooking: any;
  beforeAll(async () => {
    h = await createHarness(dialect);
    a = await createFacility(h);
    b = await createFacility(h);
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${b.id}/bookings`,
      key: b.key,
      body: booking(),
    });
    bBooking = res.json;
  });
  afterAll(() => h.close());

  const counts = () => rowCounts(h, 'bookings');
  const post = (body: unknown, headers?: Record<string, string>) =>
    call(h, { method: 'POST', url: `/v1/facility/${a.id}/bookings`, key: a.key, body, headers });

  it.each([
    ['a party size given as text', { num: '4' }, 'num'],
    ['a party of zero', { num: 0 }, 'num'],
    ['a party of 1001', { num: 1001 }, 'num'],
    ['a fractional party size', { num: 2.5 }, 'num'],
    ['a date that is not a date', { date: 'tomorrow at 8' }, 'date'],
    ['a date without an offset', { date: '2026-12-24T19:30:00' }, 'date'],
    ['the 30th of February', { date: '2026-02-30T19:30:00Z' }, 'date'],
    ['a date with a tab for a separator', { date: '2026-12-24\t19:30:00Z' }, 'date'],
    ['a duration of zero minutes', { duration: 0 }, 'duration'],
    ['a duration over a day', { duration: 1441 }, 'duration'],
    ['an unknown status', { status: 'lost' }, 'status'],
    ['an email without an at sign', { email: 'grace.example.com' }, 'email'],
    ['a phone number in words', { phone: 'call me maybe' }, 'phone'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'name'],
    ['a comment of 2001 characters', { comment: 'x'.repeat(2001) }, 'comment'],
    ['a table label of 51 characters', { table: 'x'.repeat(51) }, 'table'],
    ['a ref_num with spaces', { ref_num: 'A B' }, 'ref_num'],
    ['an unknown field', { guests: 4 }, 'guests'],
    ['a missing name', { name: undefined }, 'name'],
    ['a missing date', { date: undefined }, 'date'],
  ])('refuses %s with a 400 naming the field', async (_what, over, field) => {
    const before = await counts();
    const res = await post(booking(over));
    expect(res.status, res.body).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'validation_failed', field });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['an empty patch', {}, undefined],
    ['a ref_num, which is fixed at creation', { ref_num: 'NEW' }, 'ref_num'],
    ['a null status', { status: null }, 'status'],
    ['a null party size', { num: null }, 'num'],
    ['a date without an offset', { date: '2026-12-24 19:30' }, 'date'],
  ])('refuses a PATCH with %s', async (_what, body, field) => {
    const res = await call(h, {
      method: 'PATCH',
      url: `/v1/facility/${b.id}/bookings/${bBooking.id}`,
      key: b.key,
      body,
    });
    expect(res.status, res.body).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
    expect(res.json.error.field).toBe(field);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['offset=-1', 'offset'],
    ['status=lost', 'status.0'],
    ['date_from=yesterday', 'date_from'],
    ['date_to=2026-12-24T19:30:00', 'date_to'],
    ['colour=blue', 'colour'],
  ])('refuses the list query %s naming the parameter', async (query, field) => {
    const res = await call(h, {
      method: 'GET',
      url: `/v1/facility/${a.id}/bookings?${query}`,
      key: a.key,
    });
    expect(res.status, res.body).toBe(400);
    expect(res.json.error.field).toBe(field);
  });
});
