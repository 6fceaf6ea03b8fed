// The documented scale-out, for real: one API process and two dispatcher processes (the real
// binary, each in its own process) share one PostgreSQL. 2,000 bookings made through the API
// each arrive at a real receiver exactly once, and /metrics agrees with the receiver's count.
import { describe, expect, inject, it } from 'vitest';
import { envFor } from '../cli/cli.js';
import { OPERATOR_KEY } from '../support/harness.js';
import { type Running, startServer } from '../support/process.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestStore, type TestStore } from '../support/stores.js';
import { sample, sum } from './ops-harness.js';

const BOOKINGS = 2_000;
const CONCURRENCY = 8;

describe.skipIf('skipped' in inject('postgres'))('scale-out on PostgreSQL [postgres]', () => {
  it('delivers 2,000 bookings from one API and two dispatcher processes exactly once', async () => {
    const store: TestStore = await createTestStore('postgres');
    const receiver = await TestReceiver.start();
    const servers: Running[] = [];
    try {
      const env = (role: string) =>
        envFor(store, {
          TABLEHOOKS_ROLE: role,
          TABLEHOOKS_LOG_LEVEL: 'warn',
          TABLEHOOKS_DB_POOL_SIZE: '4',
        });
      const [api, ...dispatchers] = await Promise.all([
        startServer(env('api')),
        startServer(env('dispatcher')),
        startServer(env('dispatcher')),
      ]);
      servers.push(api!, ...dispatchers);
      const http = async (path: string, key: string, body: unknown) => {
        const res = await fetch(`${api!.url}${path}`, {
          method: 'POST',
          headers: { 'api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, json: (await res.json()) as any };
      };
      expect(
        (
          await http('/v1/facility', OPERATOR_KEY, {
            id: 'the-fish',
            name: 'The Fish',
            plan: 'premium',
          })
        ).status,
      ).toBe(201);
      const { key } = (
        await http('/v1/facility/the-fish/api-keys', OPERATOR_KEY, {
          name: 'k',
          scopes: ['write', 'webhooks'],
        })
      ).json;
      const hook = await http('/v1/facility/the-fish/webhooks', key, {
        url: receiver.url,
        username: 'u',
        password: 'p',
        events: ['booking_created'],
      });
      expect(hook.status).toBe(201);

      const started = Date.now();
      const ids: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < BOOKINGS) {
            next++;
            const res = await http('/v1/facility/the-fish/bookings', key, {
              num: 2,
              date: '2026-12-31T20:00:00+01:00',
              name: 'Guest',
            });
            expect(res.status).toBe(201);
            ids.push(res.json.id);
          }
        }),
      );
      const created = Date.now();
      await receiver.waitFor(BOOKINGS, 120_000);
      const delivered = Date.now();

      // Every delivery recorded as succeeded: from here on nothing can be claimed or sent
      // again, so the receiver's count is final.
      await expect
        .poll(
          async () =>
            Number(
              (
                await store.db
                  .selectFrom('deliveries')
                  .select((eb) => eb.fn.countAll().as('n'))
                  .where('status', '=', 'succeeded')
                  .executeTakeFirstOrThrow()
              ).n,
            ),
          { timeout: 30_000, interval: 250 },
        )
        .toBe(BOOKINGS);
      expect(receiver.received).toHaveLength(BOOKINGS);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(BOOKINGS);
      expect(new Set(receiver.received.map((r) => JSON.parse(r.body).id))).toEqual(new Set(ids));

      // /metrics: the dispatchers' counters add up to what the receiver got; the API process
      // sends nothing and sees an empty queue.
      const scrape = async (s: Running) => (await fetch(`${s.url}/metrics`)).text();
      const [apiText, ...dispatcherTexts] = await Promise.all(servers.map(scrape));
      const succeeded = dispatcherTexts.map((t) =>
        sample(t, 'tablehooks_deliveries_total{event="booking_created",outcome="succeeded"}'),
      );
      expect(succeeded.reduce((a, b) => a + b, 0)).toBe(receiver.received.length);
      for (const n of succeeded) expect(n).toBeGreaterThan(0);
      expect(
        dispatcherTexts.map((t) => sum(t, 'tablehooks_deliveries_total', { outcome: 'retrying' })),
      ).toEqual([0, 0]);
      const attempts = dispatcherTexts.map((t) =>
        sample(t, 'tablehooks_delivery_attempt_duration_seconds_count{result="success"}'),
      );
      expect(attempts.reduce((a, b) => a + b, 0)).toBe(BOOKINGS);
      const firsts = dispatcherTexts.map((t) =>
        sample(t, 'tablehooks_delivery_first_attempt_latency_seconds_count'),
      );
      expect(firsts.reduce((a, b) => a + b, 0)).toBe(BOOKINGS);
      expect(sum(apiText!, 'tablehooks_deliveries_total')).toBe(0);
      expect(sample(apiText!, 'tablehooks_deliveries_pending')).toBe(0);
      expect(sample(apiText!, 'tablehooks_deliveries_oldest_due_age_seconds')).toBe(0);

      // For the record (not asserted: the machine is shared): throughput and latency.
      const within = (le: string) =>
        dispatcherTexts.reduce(
          (n, t) =>
            n + sample(t, `tablehooks_delivery_first_attempt_latency_seconds_bucket{le="${le}"}`),
          0,
        );
      process.stdout.write(
        `scale-out: ${BOOKINGS} bookings created in ${created - started} ms, all delivered ${delivered - started} ms after the first; ` +
          `split ${succeeded.join('/')}; first attempt within 0.1 s: ${within('0.1')}, 0.5 s: ${within('0.5')}, 1 s: ${within('1')}, 5 s: ${within('5')}\n`,
      );
    } finally {
      for (const s of servers) s.child.kill('SIGKILL');
      await receiver.close();
      await store.drop();
    }
  }, 240_000);
});
