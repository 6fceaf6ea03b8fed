// The guarantees across processes: two dispatcher processes on one PostgreSQL keep each
// booking's triggers in order, and together never exceed a webhook's concurrency.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness, OPERATOR_KEY, TEST_SECRET_KEY } from '../support/harness.js';
import { type Running, startServer } from '../support/process.js';
import { type Received, TestReceiver } from '../support/receiver.js';
import { createTestStore, type TestStore } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

describe.skipIf('skipped' in inject('postgres'))(
  'two dispatcher processes on one PostgreSQL [postgres]',
  () => {
    let store: TestStore;
    let receiver: TestReceiver;
    let api: Harness;
    let fac: TestFacility;
    const servers: Running[] = [];
    afterEach(async () => {
      for (const s of servers.splice(0)) s.child.kill('SIGKILL');
      await api?.close();
      await receiver?.close();
      await store?.drop();
    });

    async function start(env: Record<string, string>) {
      store = await createTestStore('postgres');
      receiver = await TestReceiver.start();
      const base = {
        TABLEHOOKS_DATA_DIR: store.dataDir,
        DATABASE_URL: store.databaseUrl!,
        TABLEHOOKS_SECRET_KEY: TEST_SECRET_KEY,
        TABLEHOOKS_OPERATOR_KEY: OPERATOR_KEY,
        TABLEHOOKS_ALLOWED_TARGETS: '127.0.0.1/32',
        TABLEHOOKS_LOG_LEVEL: 'warn',
        TABLEHOOKS_ROLE: 'dispatcher',
        ...env,
      };
      servers.push(await startServer(base), await startServer(base));
      // The API side: this test process, with no dispatcher of its own.
      api = await createHarness('postgres', {}, { store });
      fac = await createFacility(api);
      // Both know of each other (a few heartbeats) before work arrives.
      await new Promise((r) => setTimeout(r, 5_000));
    }

    const post = (path: string, body?: unknown, method: 'POST' | 'PATCH' = 'POST') =>
      call(api, { method, url: `/v1/facility/${fac.id}${path}`, key: fac.key, body });

    async function addWebhook(settings: Record<string, unknown> = {}) {
      const res = await post('/webhooks', {
        url: receiver.url,
        username: 'u',
        password: 'p',
        events: ['booking_created', 'booking_updated'],
        ...settings,
      });
      expect(res.status, res.body).toBe(201);
    }

    /** 10 bookings and 100 updates each while the receiver answers 503; then it recovers. */
    async function updatesWhileDown(accepted: Set<Received>): Promise<number[]> {
      let up = false;
      receiver.setDefault((res) => {
        if (up) accepted.add(receiver.received.at(-1)!);
        res.writeHead(up ? 200 : 503);
        res.end();
      });
      const ids: number[] = [];
      for (let i = 0; i < 10; i++) ids.push((await post('/bookings', BOOKING)).json.id);
      for (let round = 0; round < 100; round++) {
        for (const id of ids) {
          expect((await post(`/bookings/${id}`, { num: 3 + (round % 5) }, 'PATCH')).status).toBe(
            200,
          );
        }
      }
      up = true;
      return ids;
    }

    function inOrder(accepted: Set<Received>, id: number): number[] {
      return receiver.received
        .filter((r) => accepted.has(r) && JSON.parse(r.body).id === id)
        .map((r) => Number(r.headers['webhook-sequence']));
    }

    it('keep each booking’s triggers in order and coalesce its updates, 1,000 updates to 10 bookings', async () => {
      await start({ TABLEHOOKS_RETRY_SCHEDULE: Array(40).fill(1).join(',') });
      await addWebhook();
      const accepted = new Set<Received>();
      const ids = await updatesWhileDown(accepted);
      await expect.poll(() => accepted.size, { timeout: 30_000 }).toBe(20);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(accepted.size).toBe(20);
      for (const id of ids) expect(inOrder(accepted, id)).toEqual([1, 101]);
      process.stdout.write(
        `  [postgres, 2 dispatchers] 1,000 updates to 10 bookings: ${accepted.size} triggers delivered (coalescing on)\n`,
      );
    }, 120_000);

    it('keep all 1,000 updates in per-booking order when coalescing is off', async () => {
      await start({
        TABLEHOOKS_RETRY_SCHEDULE: Array(40).fill(1).join(','),
        TABLEHOOKS_LOG_LEVEL: 'info',
      });
      await addWebhook({ coalesce_updates: false });
      const accepted = new Set<Received>();
      const ids = await updatesWhileDown(accepted);
      await expect.poll(() => accepted.size, { timeout: 90_000, interval: 500 }).toBe(1010);
      for (const id of ids) {
        const sequences = inOrder(accepted, id);
        expect(sequences).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
      }
      // Both dispatchers took part, and neither logged an error.
      for (const s of servers) {
        expect(s.stdout().split('"delivery attempt"').length - 1).toBeGreaterThan(0);
        expect(s.stdout()).not.toContain('"level":50');
      }
    }, 150_000);

    it('never send more than the webhook’s concurrency at its receiver, together', async () => {
      await start({ TABLEHOOKS_WEBHOOK_CONCURRENCY: '4', TABLEHOOKS_POLL_INTERVAL_MS: '500' });
      receiver.setDefault((res) => {
        setTimeout(() => {
          res.writeHead(200);
          res.end();
        }, 100);
      });
      await addWebhook({ ordering: 'none' });
      for (let i = 0; i < 120; i++) await post('/bookings', BOOKING);
      await receiver.waitFor(120, 60_000);
      expect(receiver.maxOpen).toBeLessThanOrEqual(4);
      expect(receiver.maxOpen).toBeGreaterThanOrEqual(2);
      process.stdout.write(
        `  [postgres, 2 dispatchers] per-webhook limit 4: at most ${receiver.maxOpen} requests at once at the receiver\n`,
      );
    }, 120_000);
  },
);
