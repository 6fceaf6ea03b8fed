import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const guest = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0000',
  comment: 'window seat, nut allergy',
};
const booking = (over: Record<string, unknown> = {}) => ({
  num: 4,
  date: '2026-12-24T19:30:00+01:00',
  ...guest,
  ...over,
});

describeEachDialect('bookings', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const url = (id?: number) => `/v1/facility/${f.id}/bookings${id === undefined ? '' : `/${id}`}`;
  const create = async (over: Record<string, unknown> = {}) => {
    const res = await call(h, { method: 'POST', url: url(), key: f.key, body: booking(over) });
    expect(res.status, res.body).toBe(201);
    return res.json;
  };
  const patch = (id: number, body: unknown) =>
    call(h, { method: 'PATCH', url: url(id), key: f.key, body });
  const eventsOf = (facilityId: string) =>
    h.store.db
      .selectFrom('events')
      .selectAll()
      .where('facility_id', '=', facilityId)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    f = await createFacility(h);
  });

  it('creates a booking with defaults, a generated ref_num, and reads it back', async () => {
    const before = Date.now();
    const created = await create({ table: 'T12', area: 'Terrace', source: 'phone' });
    expect(created).toMatchObject({
      facility_id: f.id,
      num: 4,
      date: '2026-12-24T19:30:00+01:00',
      duration: 120,
      status: 'confirmed',
      ...guest,
      table: 'T12',
      area: 'Terrace',
      source: 'phone',
    });
    expect(created.id).toBeGreaterThan(0);
    expect(created.ref_num).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(Date.parse(created.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(created.updated_at).toBe(created.created_at);
    const read = await call(h, { method: 'GET', url: url(created.id), key: f.key });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created);
  });

  it('keeps a ref_num and a status the client gives', async () => {
    const created = await create({ ref_num: 'EXT-4711', status: 'requested', email: null });
    expect(created).toMatchObject({ ref_num: 'EXT-4711', status: 'requested', email: null });
  });

  it('writes exactly one booking_created event holding no personal data', async () => {
    const g = await createFacility(h);
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${g.id}/bookings`,
      key: g.key,
      body: booking(),
    });
    const events = await eventsOf(g.id);
    expect(events).toEqual([
      {
        id: expect.any(Number),
        facility_id: g.id,
        resource_type: 'booking',
        resource_id: res.json.id,
        event: 'booking_created',
        source: 'api',
        created_at: expect.any(Number),
      },
    ]);
    const stored = JSON.stringify(events);
    for (const value of [guest.name, guest.email, guest.phone, guest.comment, '19:30']) {
      expect(stored).not.toContain(value);
    }
  });

  it('changes fields with PATCH, clears one with null, and emits booking_updated', async () => {
    const created = await create();
    h.clock.advance(5_000);
    const res = await patch(created.id, {
      num: 6,
      date: '2026-12-24T20:00:00+01:00',
      comment: null,
      table: 'T3',
    });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ num: 6, date: '2026-12-24T20:00:00+01:00', comment: null });
    expect(res.json.table).toBe('T3');
    expect(res.json.name).toBe(guest.name);
    expect(Date.parse(res.json.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    const events = (await eventsOf(f.id)).filter((e) => e.resource_id === created.id);
    expect(events.map((e) => e.event)).toEqual(['booking_created', 'booking_updated']);
  });

  it('follows a booking from requested through confirmed and seated to completed', async () => {
    const created = await create({ status: 'requested' });
    for (const status of ['confirmed', 'seated', 'completed']) {
      const res = await patch(created.id, { status });
      expect(res.status, res.body).toBe(200);
      expect(res.json.status).toBe(status);
    }
    // A finished visit may still get a note, but no new status.
    expect((await patch(created.id, { comment: 'lovely evening' })).status).toBe(200);
    const back = await patch(created.id, { status: 'confirmed' });
    expect(back.status).toBe(422);
    expect(back.json.error).toMatchObject({ code: 'unprocessable', field: 'status' });
  });

  it('lets a no-show that turns up late be seated', async () => {
    const created = await create();
    expect((await patch(created.id, { status: 'no_show' })).status).toBe(200);
    expect((await patch(created.id, { status: 'seated' })).json.status).toBe('seated');
  });

  it('cancels with a PATCH: the row stays, and booking_deleted is emitted', async () => {
    const created = await create();
    const res = await patch(created.id, { status: 'cancelled' });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('cancelled');
    const read = await call(h, { method: 'GET', url: url(created.id), key: f.key });
    expect(read.json.status).toBe('cancelled');
    const events = (await eventsOf(f.id)).filter((e) => e.resource_id === created.id);
    expect(events.map((e) => e.event)).toEqual(['booking_created', 'booking_deleted']);
  });

  it('refuses to seat or otherwise change a cancelled booking, and emits nothing', async () => {
    const created = await create();
    await patch(created.id, { status: 'cancelled' });
    for (const body of [{ status: 'seated' }, { num: 2 }, { status: 'cancelled' }]) {
      const res = await patch(created.id, body);
      expect(res.status).toBe(422);
      expect(res.json.error).toMatchObject({ code: 'unprocessable', field: 'status' });
    }
    const events = (await eventsOf(f.id)).filter((e) => e.resource_id === created.id);
    expect(events).toHaveLength(2);
  });

  it('lets only one of two racing status changes win, with one event', async () => {
    const created = await create();
    const results = await Promise.all([
      patch(created.id, { status: 'seated' }),
      patch(created.id, { status: 'cancelled' }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // The loser either saw the winner's status (422) or lost the guarded update (409).
    expect(statuses[0]).toBe(200);
    expect([409, 422]).toContain(statuses[1]);
    const events = (await eventsOf(f.id)).filter((e) => e.resource_id === created.id);
    expect(events).toHaveLength(2);
    const winner = results.find((r) => r.status === 200)!.json.status;
    const read = await call(h, { method: 'GET', url: url(created.id), key: f.key });
    expect(read.json.status).toBe(winner);
  });

  it('refuses to create a booking that is already cancelled or finished', async () => {
    for (const status of ['cancelled', 'completed', 'no_show']) {
      const res = await call(h, {
        method: 'POST',
        url: url(),
        key: f.key,
        body: booking({ status }),
      });
      expect(res.status).toBe(422);
      expect(res.json.error.field).toBe('status');
    }
  });

  it('deletes with DELETE: 204, then 404, and booking_deleted is emitted', async () => {
    const created = await create();
    const res = await call(h, { method: 'DELETE', url: url(created.id), key: f.key });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    const read = await call(h, { method: 'GET', url: url(created.id), key: f.key });
    expect(read.status).toBe(404);
    expect(read.json.error).toMatchObject({ code: 'not_found', message: 'booking not found' });
    const again = await call(h, { method: 'DELETE', url: url(created.id), key: f.key });
    expect(again.status).toBe(404);
    const events = (await eventsOf(f.id)).filter((e) => e.resource_id === created.id);
    expect(events.map((e) => e.event)).toEqual(['booking_created', 'booking_deleted']);
  });

  it('pages through bookings in order of their start with limit, offset and total_count', async () => {
    const g = await createFacility(h);
    const days = [5, 1, 4, 2, 3];
    for (const d of days) {
      const res = await call(h, {
        method: 'POST',
        url: `/v1/facility/${g.id}/bookings`,
        key: g.key,
        body: booking({ date: `2026-12-0${d}T19:00:00+01:00`, name: `Guest ${d}` }),
      });
      expect(res.status).toBe(201);
    }
    const page = (q: string) =>
      call(h, { method: 'GET', url: `/v1/facility/${g.id}/bookings?${q}`, key: g.key });
    const first = await page('limit=2');
    expect(first.json.meta).toEqual({ limit: 2, offset: 0, total_count: 5 });
    expect(first.json.objects.map((b: any) => b.name)).toEqual(['Guest 1', 'Guest 2']);
    const last = await page('limit=2&offset=4');
    expect(last.json.objects.map((b: any) => b.name)).toEqual(['Guest 5']);
    expect(last.json.meta).toEqual({ limit: 2, offset: 4, total_count: 5 });
    const all = await page('');
    expect(all.json.meta).toEqual({ limit: 50, offset: 0, total_count: 5 });
  });

  it('filters by a date range across offsets and by one or more statuses', async () => {
    const g = await createFacility(h);
    const make = async (date: string, status: string) => {
      const res = await call(h, {
        method: 'POST',
        url: `/v1/facility/${g.id}/bookings`,
        key: g.key,
        body: booking({ date, status, name: `${status} ${date}` }),
      });
      expect(res.status).toBe(201);
      return res.json.id as number;
    };
    const a = await make('2026-12-24T18:00:00+01:00', 'confirmed'); // 17:00Z
    const b = await make('2026-12-24T19:30:00Z', 'requested');
    const c = await make('2026-12-25T01:00:00+05:00', 'seated'); // 24th 20:00Z
    await make('2026-12-26T12:00:00Z', 'confirmed');
    const list = async (q: string) => {
      const res = await call(h, {
        method: 'GET',
        url: `/v1/facility/${g.id}/bookings?${q}`,
        key: g.key,
      });
      expect(res.status, res.body).toBe(200);
      return { ids: res.json.objects.map((o: any) => o.id), total: res.json.meta.total_count };
    };
    const from = encodeURIComponent('2026-12-24T18:00:00+01:00');
    const to = encodeURIComponent('2026-12-25T00:00:00+03:00'); // 24th 21:00Z
    expect(await list(`date_from=${from}&date_to=${to}`)).toEqual({ ids: [a, b, c], total: 3 });
    expect(await list('date_from=2026-12-24T19:30:00Z&date_to=2026-12-24T20:00:00Z')).toEqual({
      ids: [b],
      total: 1,
    });
    expect(await list('status=confirmed&date_to=2026-12-25T00:00:00Z')).toEqual({
      ids: [a],
      total: 1,
    });
    expect(await list('status=requested&status=seated')).toEqual({ ids: [b, c], total: 2 });
  });

  it('answers 404 for a facility that does not exist, even to the operator', async () => {
    const list = await operator(h, { method: 'GET', url: '/v1/facility/no-such-place/bookings' });
    expect(list.status).toBe(404);
    expect(list.json.error.message).toBe('facility not found');
    const post = await operator(h, {
      method: 'POST',
      url: '/v1/facility/no-such-place/bookings',
      body: booking(),
    });
    expect(post.status).toBe(404);
    const one = await operator(h, { method: 'GET', url: '/v1/facility/no-such-place/bookings/1' });
    expect(one.status).toBe(404);
    const rows = await h.store.db
      .selectFrom('events')
      .select('id')
      .where('facility_id', '=', 'no-such-place')
      .execute();
    expect(rows).toEqual([]);
  });
});
