// Bad input, missing or weak keys and other tenants' ids: each gets a 4xx naming what is
// wrong, and none of them changes a row or writes an event.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
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

  const counts = async () => ({
    bookings: Number(
      (
        await h.store.db
          .selectFrom('bookings')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    events: Number(
      (
        await h.store.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });
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

  it('refuses a booking id that is not a positive integer', async () => {
    for (const id of ['abc', '0', '1.5', '99999999999999999999']) {
      const res = await call(h, {
        method: 'GET',
        url: `/v1/facility/${a.id}/bookings/${id}`,
        key: a.key,
      });
      expect(res.status, id).toBe(400);
      expect(res.json.error.field).toBe('booking_id');
    }
  });

  it('refuses malformed JSON, other content types and bodies over 1 MiB', async () => {
    const before = await counts();
    const json = { 'content-type': 'application/json' };
    const broken = await post('{"num": 2, "date": ', json);
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('invalid_json');
    const form = await post('num=2', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.json.error.code).toBe('unsupported_media_type');
    // Fastify parses text/plain as a string, which the body schema then refuses.
    const text = await post(JSON.stringify(booking()), { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    expect(text.json.error.code).toBe('validation_failed');
    const huge = await post(JSON.stringify(booking({ comment: 'x'.repeat(1024 * 1024) })), json);
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('payload_too_large');
    const patched = await call(h, {
      method: 'PATCH',
      url: `/v1/facility/${b.id}/bookings/${bBooking.id}`,
      key: b.key,
      body: '[',
      headers: json,
    });
    expect(patched.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('answers 401 on every route without a key or with an unknown key', async () => {
    const base = `/v1/facility/${b.id}/bookings`;
    const routes = [
      { method: 'GET', url: base },
      { method: 'POST', url: base, body: booking() },
      { method: 'GET', url: `${base}/${bBooking.id}` },
      { method: 'PATCH', url: `${base}/${bBooking.id}`, body: { num: 3 } },
      { method: 'DELETE', url: `${base}/${bBooking.id}` },
    ] as const;
    for (const key of [undefined, 'thk_not_a_real_key']) {
      for (const r of routes) {
        const res = await call(h, { ...r, key });
        expect(res.status, `${r.method} ${key}`).toBe(401);
        expect(res.json.error.code).toBe('unauthorized');
      }
    }
  });

  it('needs the write scope to change and the read scope to look', async () => {
    const reader = await b.keyWith(['read']);
    const writer = await b.keyWith(['write']);
    const base = `/v1/facility/${b.id}/bookings`;
    const before = await counts();
    for (const r of [
      { method: 'POST', url: base, body: booking() },
      { method: 'PATCH', url: `${base}/${bBooking.id}`, body: { num: 3 } },
      { method: 'DELETE', url: `${base}/${bBooking.id}` },
    ] as const) {
      const res = await call(h, { ...r, key: reader });
      expect(res.status, r.method).toBe(403);
      expect(res.json.error.code).toBe('forbidden');
    }
    expect(await counts()).toEqual(before);
    expect((await call(h, { method: 'GET', url: base, key: reader })).status).toBe(200);
    expect((await call(h, { method: 'GET', url: base, key: writer })).status).toBe(403);
    const written = await call(h, { method: 'POST', url: base, key: writer, body: booking() });
    expect(written.status).toBe(201);
  });

  it("answers 404, never data, when one facility's key reaches for another's booking", async () => {
    const id = bBooking.id;
    const attempts = [
      { method: 'GET', url: `/v1/facility/${a.id}/bookings/${id}` },
      { method: 'PATCH', url: `/v1/facility/${a.id}/bookings/${id}`, body: { num: 9 } },
      { method: 'DELETE', url: `/v1/facility/${a.id}/bookings/${id}` },
      { method: 'GET', url: `/v1/facility/${b.id}/bookings/${id}` },
      { method: 'GET', url: `/v1/facility/${b.id}/bookings` },
      { method: 'PATCH', url: `/v1/facility/${b.id}/bookings/${id}`, body: { num: 9 } },
      { method: 'DELETE', url: `/v1/facility/${b.id}/bookings/${id}` },
      { method: 'POST', url: `/v1/facility/${b.id}/bookings`, body: booking() },
    ] as const;
    for (const r of attempts) {
      const res = await call(h, { ...r, key: a.key });
      expect(res.status, `${r.method} ${r.url}`).toBe(404);
      expect(res.body).not.toContain('Grace');
    }
    const own = await call(h, { method: 'GET', url: `/v1/facility/${a.id}/bookings`, key: a.key });
    expect(own.json.objects.map((o: any) => o.id)).not.toContain(id);
    const still = await call(h, {
      method: 'GET',
      url: `/v1/facility/${b.id}/bookings/${id}`,
      key: b.key,
    });
    expect(still.json).toEqual(bBooking);
    const events = await h.store.db
      .selectFrom('events')
      .select('event')
      .where('resource_type', '=', 'booking')
      .where('resource_id', '=', id)
      .execute();
    expect(events).toEqual([{ event: 'booking_created' }]);
  });
});
