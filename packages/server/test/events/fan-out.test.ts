import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('fan-out of an event to its webhooks', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  /** A facility with `n` enabled webhooks on booking_created (and one disabled one). */
  async function facilityWithWebhooks(n: number, plan: 'free' | 'premium' = 'premium') {
    const f = await createFacility(h, { plan });
    const now = h.clock.now();
    for (let i = 0; i <= n; i++) {
      const id = `wh_${f.id}_${i}`;
      await h.store.db
        .insertInto('webhooks')
        .values({
          id,
          facility_id: f.id,
          url: `http://127.0.0.1:9/${i}`,
          username: 'u',
          password_enc: 'not-used-here',
          signing_secret_enc: null,
          events: 'booking_created',
          enabled: i < n ? 1 : 0,
          disabled_reason: null,
          disabled_at: null,
          description: '',
          ordering: 'per_resource',
          coalesce_updates: 1,
          supersede_on_delete: 1,
          max_age_hours: null,
          failing_since: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await h.store.db
        .insertInto('webhook_events')
        .values({ webhook_id: id, facility_id: f.id, event: 'booking_created' })
        .execute();
    }
    return f;
  }

  const book = (facilityId: string, key: string) =>
    call(h, {
      method: 'POST',
      url: `/v1/facility/${facilityId}/bookings`,
      key,
      body: { num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Fan Out' },
    });

  const deliveriesOf = (facilityId: string) =>
    h.store.db
      .selectFrom('deliveries')
      .select(['id', 'webhook_id', 'event_id', 'resource_id', 'event', 'status'])
      .where('facility_id', '=', facilityId)
      .execute();

  for (const n of [0, 1, 16, 17, 40]) {
    it(`writes one delivery for each of ${n} enabled webhooks, none for a disabled one`, async () => {
      const f = await facilityWithWebhooks(n);
      const wakeups = h.wakeups.count;
      const res = await book(f.id, f.key);
      expect(res.status, res.body).toBe(201);
      const rows = await deliveriesOf(f.id);
      expect(rows).toHaveLength(n);
      expect(new Set(rows.map((r) => r.id)).size).toBe(n);
      expect(rows.map((r) => r.webhook_id).sort()).toEqual(
        Array.from({ length: n }, (_, i) => `wh_${f.id}_${i}`).sort(),
      );
      for (const r of rows) {
        expect(r).toMatchObject({ resource_id: res.json.id, event: 'booking_created' });
        expect(r.status).toBe('pending');
      }
      expect(new Set(rows.map((r) => r.event_id)).size).toBeLessThanOrEqual(1);
      expect(h.wakeups.count).toBe(wakeups + (n > 0 ? 1 : 0));
    });
  }

  it('holds the deliveries of a facility on the free plan as paused, and wakes nobody', async () => {
    const f = await facilityWithWebhooks(3, 'free');
    const wakeups = h.wakeups.count;
    expect((await book(f.id, f.key)).status).toBe(201);
    const rows = await deliveriesOf(f.id);
    expect(rows.map((r) => r.status)).toEqual(['paused', 'paused', 'paused']);
    expect(h.wakeups.count).toBe(wakeups);
  });
});
