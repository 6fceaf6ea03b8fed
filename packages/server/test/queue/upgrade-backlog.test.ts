// the migration 2026-12-02T10-delivery-guarantees adds deliveries.sequence (default
// 0) and an empty resource_sequences table, and backfills neither. A backlog waiting at the
// upgrade (say the receiver was down) is then invisible to per-resource order: the enqueue
// sees sequence 1, decides "first event of this resource", skips the open-deliveries check,
// and queues the new trigger `pending` beside the old one — two heads, sent in parallel.
// The migration 2026-12-02T13-sequence-rows gives each such line its row, so the first
// event after the upgrade gets sequence 2 and looks for the line.
import { afterEach, beforeEach, expect, it } from 'vitest';
import * as sequenceRows from '../../src/db/migrations/2026-12-02T13-sequence-rows.js';
import {
  addWebhook,
  createFacility,
  type FacilityApi,
  facilityApi,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

describeEachDialect('a backlog from before the upgrade', (dialect) => {
  let h: Harness;
  let fac: TestFacility;
  let api: FacilityApi;
  beforeEach(async () => {
    h = await createHarness(dialect);
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(async () => {
    await h.close();
  });

  it('a new trigger waits behind a delivery queued before the migration', async () => {
    const wid = (
      await addWebhook(api, {
        url: 'http://127.0.0.1:9/hook',
        events: ['booking_created', 'booking_updated'],
      })
    ).id;
    const id = (await api('POST', '/bookings', BOOKING)).json.id as number;
    // Exactly what the migration leaves for a delivery queued before it ran…
    await h.store.db.updateTable('deliveries').set({ sequence: 0 }).execute();
    await h.store.db.deleteFrom('resource_sequences').execute();
    // …and then the upgrade runs the later ones: 2026-12-02T13 gives the line its row.
    await sequenceRows.up(h.store.db, h.store.profile);

    await api('PATCH', `/bookings/${id}`, { num: 3 });
    const rows = await h.store.db
      .selectFrom('deliveries')
      .select(['event', 'status', 'sequence'])
      .where('webhook_id', '=', wid)
      .orderBy('created_at')
      .execute();
    expect(rows).toEqual([
      { event: 'booking_created', status: 'pending', sequence: 0 },
      { event: 'booking_updated', status: 'blocked', sequence: 2 },
    ]);
  });
});
