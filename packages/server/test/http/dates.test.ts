// Issue #13 item 4: every date the API takes must name a real moment. A leap second
// (…T23:59:60Z) was accepted, stored, and then broke the UI's date formatting for the
// whole facility; these are refused with a 400 naming the field, on every date input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/http/instant.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const NOT_REAL = [
  ['a leap second', '2026-12-31T23:59:60Z'],
  ['a leap second that really happened', '2016-12-31T23:59:60Z'],
  ['a leap second with an offset', '2017-01-01T00:59:60+01:00'],
  ['hour 24', '2026-12-24T24:00:00Z'],
  ['minute 60', '2026-12-24T19:60:00Z'],
  ['29 February in a common year', '2026-02-29T12:00:00Z'],
  ['30 February', '2028-02-30T12:00:00Z'],
  ['31 April', '2026-04-31T12:00:00Z'],
  ['month 13', '2026-13-01T12:00:00Z'],
  ['month 0', '2026-00-10T12:00:00Z'],
  ['day 0', '2026-12-00T12:00:00Z'],
  ['year 0', '0000-06-01T12:00:00Z'],
  ['an offset of 24 hours', '2026-12-24T19:30:00+24:00'],
  ['an offset with 60 minutes', '2026-12-24T19:30:00+01:60'],
  ['an offset without minutes', '2026-12-24T19:30:00+01'],
  ['an offset without a colon', '2026-12-24T19:30:00+0100'],
  ['no seconds', '2026-12-24T19:30Z'],
  ['a six-digit year', '+275760-09-13T00:00:00Z'],
  ['a trailing space', '2026-12-24T19:30:00Z '],
  ['full-width digits', '２０２６-12-24T19:30:00Z'],
] as const;

describe('what counts as a real moment', () => {
  it.each(NOT_REAL)('refuses %s', (_, text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it.each([
    ['2026-12-24T19:30:00+01:00', Date.UTC(2026, 11, 24, 18, 30)],
    ['2026-12-24t18:30:00z', Date.UTC(2026, 11, 24, 18, 30)],
    ['2026-12-24 18:30:00Z', Date.UTC(2026, 11, 24, 18, 30)],
    ['2028-02-29T23:59:59.999Z', Date.UTC(2028, 1, 29, 23, 59, 59, 999)],
    ['2000-02-29T00:00:00-23:59', Date.UTC(2000, 1, 29, 23, 59)],
    ['0001-01-01T00:00:00.123456789Z', -62135596800000 + 123],
  ])('takes %s', (text, ms) => {
    expect(parseInstant(text)).toBe(ms);
  });
});

describeEachDialect('date inputs', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  let bookingId: number;
  let orderId: number;
  let webhookId: string;
  beforeAll(async () => {
    h = await createHarness(dialect);
    f = await createFacility(h);
    const booking = await post('bookings', { num: 2, date: '2026-12-24T19:30:00Z', name: 'Ada' });
    bookingId = booking.json.id;
    const order = await post('productorders', {
      type: 'pickup',
      items: [{ product_id: 'p', name: 'Pie', quantity: 1, unit_price: 500 }],
      name: 'Ada',
    });
    orderId = order.json.id;
    const hook = await post('webhooks', {
      url: 'http://127.0.0.1:9/hook',
      username: 'u',
      password: 'p',
      events: ['booking_created'],
    });
    webhookId = hook.json.id;
  });
  afterAll(() => h.close());

  const base = () => `/v1/facility/${f.id}`;
  function post(what: string, body: unknown) {
    return call(h, { method: 'POST', url: `${base()}/${what}`, key: f.key, body });
  }

  // Every request field and query parameter of the OpenAPI document with format date-time.
  const inputs: Record<string, (value: string) => Promise<{ status: number; json: any }>> = {
    'POST /bookings body.date': (v) => post('bookings', { num: 2, date: v, name: 'Ada' }),
    'PATCH /bookings/{id} body.date': (v) =>
      call(h, {
        method: 'PATCH',
        url: `${base()}/bookings/${bookingId}`,
        key: f.key,
        body: { date: v },
      }),
    'GET /bookings query.date_from': (v) =>
      call(h, {
        method: 'GET',
        url: `${base()}/bookings?date_from=${encodeURIComponent(v)}`,
        key: f.key,
      }),
    'GET /bookings query.date_to': (v) =>
      call(h, {
        method: 'GET',
        url: `${base()}/bookings?date_to=${encodeURIComponent(v)}`,
        key: f.key,
      }),
    'POST /productorders body.requested_time': (v) =>
      post('productorders', {
        type: 'pickup',
        items: [{ product_id: 'p', name: 'Pie', quantity: 1, unit_price: 500 }],
        name: 'Ada',
        requested_time: v,
      }),
    'PATCH /productorders/{id} body.requested_time': (v) =>
      call(h, {
        method: 'PATCH',
        url: `${base()}/productorders/${orderId}`,
        key: f.key,
        body: { requested_time: v },
      }),
    'GET /webhooks/{id}/deliveries query.since': (v) =>
      call(h, {
        method: 'GET',
        url: `${base()}/webhooks/${webhookId}/deliveries?since=${encodeURIComponent(v)}`,
        key: f.key,
      }),
    'GET /webhooks/{id}/deliveries query.until': (v) =>
      call(h, {
        method: 'GET',
        url: `${base()}/webhooks/${webhookId}/deliveries?until=${encodeURIComponent(v)}`,
        key: f.key,
      }),
    'POST /webhooks/{id}/recover body.since': (v) =>
      post(`webhooks/${webhookId}/recover`, { since: v }),
    'POST /webhooks/{id}/recover body.until': (v) =>
      post(`webhooks/${webhookId}/recover`, { since: '2026-01-01T00:00:00Z', until: v }),
  };

  it('covers every date-time input the OpenAPI document lists', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const found: string[] = [];
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      const short = path.replace('/v1/facility/{facility_id}', '').replace(/\{\w+_id\}/g, '{id}');
      for (const [method, op] of Object.entries<any>(ops)) {
        const label = `${method.toUpperCase()} ${short}`;
        for (const p of op.parameters ?? []) {
          if (p.schema?.format === 'date-time') found.push(`${label} ${p.in}.${p.name}`);
        }
        const props = op.requestBody?.content?.['application/json']?.schema?.properties ?? {};
        for (const [name, schema] of Object.entries(props)) {
          if (JSON.stringify(schema).includes('"date-time"')) found.push(`${label} body.${name}`);
        }
      }
    }
    expect(found.sort()).toEqual(Object.keys(inputs).sort());
  });

  for (const [input, send] of Object.entries(inputs)) {
    const field = input.split('.').at(-1)!;
    it(`refuses a moment that does not exist in ${input} with a 400 naming ${field}`, async () => {
      for (const [what, value] of NOT_REAL) {
        const res = await send(value);
        expect(res.status, `${what}: ${JSON.stringify(res.json)}`).toBe(400);
        expect(res.json.error.code, what).toBe('validation_failed');
        expect(res.json.error.field, what).toBe(field);
      }
      expect((await send('2028-02-29T23:59:59.999+01:00')).status).toBeLessThan(300);
    });
  }

  it('stores nothing when a date is refused', async () => {
    const before = await call(h, { method: 'GET', url: `${base()}/bookings`, key: f.key });
    await post('bookings', { num: 2, date: '2026-12-31T23:59:60Z', name: 'Leap' });
    const after = await call(h, { method: 'GET', url: `${base()}/bookings`, key: f.key });
    expect(after.json.meta.total_count).toBe(before.json.meta.total_count);
  });
});
