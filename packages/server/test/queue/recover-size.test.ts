// recover (POST …/recover) was one UPDATE; it is now, per failed delivery, an upsert
// of its resource's sequence row (a lock held to the end of the transaction), a read of the
// resource's open deliveries and an UPDATE — all in one transaction. Recovering an outage's
// worth of failed deliveries holds every one of those rows (SQLite: the one write lock) for
// the whole walk, and the API's writes about those bookings wait behind it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const N = 20_000;

describeEachDialect('recovering an outage', (dialect) => {
  let h: Harness;
  let fac: TestFacility;
  beforeEach(async () => {
    h = await createHarness(dialect);
    fac = await createFacility(h);
  });
  afterEach(async () => {
    await h.close();
  });

  it(`recovers ${N} failed deliveries without holding up a booking update for long`, async () => {
    const wid = (
      await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/webhooks`,
        key: fac.key,
        body: {
          url: 'http://127.0.0.1:9/hook',
          username: 'u',
          password: 'p',
          events: ['booking_created', 'booking_updated'],
        },
      })
    ).json.id as string;
    const booking = (
      await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/bookings`,
        key: fac.key,
        body: { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' },
      })
    ).json.id as number;
    const t0 = h.clock.now() - 3_600_000;
    // An outage: one failed delivery per booking (the real booking among them).
    const rows = Array.from({ length: N }, (_, i) => ({
      id: `msg_old_${i}`,
      webhook_id: wid,
      facility_id: fac.id,
      event_id: null,
      resource_type: 'booking' as const,
      resource_id: i === 0 ? booking : 1_000_000 + i,
      event: 'booking_updated',
      status: 'failed' as const,
      tries: 8,
      attempt_count: 8,
      next_attempt_at: t0,
      leased_by: null,
      is_test: 0,
      created_at: t0 + i,
      last_attempt_at: t0,
      last_status_code: 503,
      last_error: 'http_status',
      succeeded_at: null,
      sequence: 1,
      event_count: 1,
      last_event_at: t0 + i,
      superseded_by: null,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await h.store.db
        .insertInto('deliveries')
        .values(rows.slice(i, i + 500))
        .execute();
    await h.store.db
      .updateTable('deliveries')
      .set({ status: 'succeeded' })
      .where('id', 'not like', 'msg_old_%')
      .execute();

    const started = Date.now();
    const recover = call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks/${wid}/recover`,
      key: fac.key,
      body: { since: new Date(t0 - 1).toISOString() },
    });
    await new Promise((r) => setTimeout(r, 100));
    const patchStarted = Date.now();
    const patched = await call(h, {
      method: 'PATCH',
      url: `/v1/facility/${fac.id}/bookings/${booking}`,
      key: fac.key,
      body: { num: 3 },
    });
    const patchMs = Date.now() - patchStarted;
    const r = await recover;
    const recoverMs = Date.now() - started;
    console.log(
      `[${dialect}] recover of ${N}: ${recoverMs} ms (status ${r.status}, ${r.body}); a booking update meanwhile took ${patchMs} ms (status ${patched.status})`,
    );
    // The booking's update went through (no deadlock, no 500) and its trigger is in line.
    expect(patched.status).toBe(200);
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body).recovered).toBe(N);
  }, 300_000);
});
