import { expect, it } from 'vitest';
import { call, createFacility } from '../support/fixtures.js';
import { createHarness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('stopping the dispatcher', (dialect) => {
  it('finishes what is in flight and hands back what it claimed but had not sent', async () => {
    const h = await createHarness(
      dialect,
      { perWebhookConcurrency: 1, deliveryTimeoutMs: 500, leaseMs: 60_000, pollIntervalMs: 60_000 },
      { dispatcher: true },
    );
    const receiver = await TestReceiver.start();
    receiver.setDefault('hang');
    try {
      const fac = await createFacility(h);
      const hook = await call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/webhooks`,
        key: fac.key,
        body: { url: receiver.url, username: 'u', password: 'p', events: ['booking_created'] },
      });
      expect(hook.status).toBe(201);
      for (let id = 1; id <= 3; id++) {
        await call(h, {
          method: 'POST',
          url: `/v1/facility/${fac.id}/events`,
          key: 'op_test_operator_key_0123456789',
          body: { id, type: 'booking', action: 'BOOKING_CREATED' },
        });
      }
      await receiver.waitFor(1);
      await h.dispatcher!.stop();
      const rows = await h.store.db
        .selectFrom('deliveries')
        .select(['resource_id', 'status', 'attempt_count', 'leased_by', 'next_attempt_at'])
        .orderBy('resource_id')
        .execute();
      // The one in flight timed out and was recorded; nothing is left leased for a minute.
      expect(rows.filter((r) => r.attempt_count === 1)).toHaveLength(1);
      expect(rows.every((r) => r.leased_by === null)).toBe(true);
      const waiting = rows.filter((r) => r.attempt_count === 0);
      expect(waiting.length).toBeGreaterThan(0);
      for (const r of waiting) expect(r.next_attempt_at).toBeLessThanOrEqual(h.clock.now());
    } finally {
      await receiver.close();
      await h.close();
    }
  });
});
