// `tablehooks demo`: a demo facility, bookings, orders, and every trigger at the built-in
// echo receiver, with Basic Auth, as thin bodies.
import { afterEach, expect, it } from 'vitest';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';
import { envFor, startCommand } from './cli.js';

describeEachDialect('tablehooks demo', (dialect) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.drop();
    store = undefined;
  });

  it('fills a demo facility and delivers every change to the echo receiver, then parks its webhook', async () => {
    store = await createTestStore(dialect);
    // The allow-list is not set: the demo allows loopback for its own run only.
    const { TABLEHOOKS_ALLOWED_TARGETS: _, ...env } = envFor(store);
    const demo = await startCommand(['demo', '--bookings', '3', '--orders', '2'], env);
    try {
      // 3 bookings, one of them confirmed later; 2 orders, one of them accepted later.
      let echo: any;
      await expect
        .poll(
          async () => {
            echo = await (await fetch(`${demo.url}/echo`)).json();
            return echo.count;
          },
          { timeout: 20_000, interval: 200 },
        )
        .toBe(7);
      for (const entry of echo.received) {
        expect(Object.keys(entry.body).sort()).toEqual(['action', 'facility_id', 'id']);
        expect(entry.body.facility_id).toBe('demo-bistro');
        expect(entry.signed).toBe(true);
      }
      expect(echo.received.map((e: any) => e.body.action).sort()).toEqual([
        'BOOKING_CREATED',
        'BOOKING_CREATED',
        'BOOKING_CREATED',
        'BOOKING_UPDATED',
        'PRODUCTORDER_CREATED',
        'PRODUCTORDER_CREATED',
        'PRODUCTORDER_UPDATED',
      ]);
      expect(demo.stdout()).toContain('Demo facility demo-bistro (premium) is ready.');
      expect(demo.stdout()).toMatch(/log in as owner@demo-bistro\.example \/ \S+/);
      expect(demo.stdout()).toContain('echo <- BOOKING_CREATED');
      // A request without the webhook's password is turned away, as an integrator would.
      const wrong = await fetch(`${demo.url}/echo`, { method: 'POST', body: '{}' });
      expect(wrong.status).toBe(401);
    } finally {
      demo.child.kill('SIGTERM');
    }
    expect(await demo.exited).toBe(0);
    const hook = await store.db.selectFrom('webhooks').selectAll().executeTakeFirstOrThrow();
    expect(hook.enabled).toBe(0);
  });
});
