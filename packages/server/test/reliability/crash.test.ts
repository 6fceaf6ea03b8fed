// Crash: 5,000 events to a real receiver while the real binary is SIGKILLed at random
// moments and restarted. Afterwards every acknowledged event arrived, each webhook-id only a
// few times, and nothing is left pending — on SQLite and on PostgreSQL.
import type { ServerResponse } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { envFor, OPERATOR_KEY } from '../support/harness.js';
import { type Running, startServer } from '../support/process.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';
import {
  http,
  keepOutput,
  recordSecret,
  report,
  SEED,
  seededRandom,
  sleep,
} from './support/run.js';

const EVENTS = 5_000;
const KILLS = 6;
const WORKERS = 8;
// A few deliveries may be in flight at each kill and go out again after it (at least once).
const MAX_COPIES_PER_WEBHOOK_ID = 5;

describeEachDialect('a service SIGKILLed at random moments under load', (dialect) => {
  let store: TestStore | undefined;
  let receiver: TestReceiver | undefined;
  let server: Running | undefined;
  afterEach(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await receiver?.close();
    await store?.drop();
  });

  it(`delivers all ${EVENTS} events at least once through ${KILLS} kills and restarts`, async () => {
    const random = seededRandom(SEED + (dialect === 'sqlite' ? 1 : 2));
    store = await createTestStore(dialect);
    receiver = await TestReceiver.start();
    // Answers after 0-10 ms, so that deliveries are in flight whenever the kill comes.
    receiver.setDefault((res: ServerResponse) => {
      setTimeout(
        () => {
          res.writeHead(200);
          res.end('ok');
        },
        Math.floor(random() * 10),
      );
    });
    const env = envFor(store, {
      // The lease is what a killed process's deliveries wait before another takes them; it
      // stays well above the timeout so that a live but busy process keeps its own.
      TABLEHOOKS_LEASE_MS: '4000',
      TABLEHOOKS_DELIVERY_TIMEOUT_MS: '2000',
      TABLEHOOKS_POLL_INTERVAL_MS: '250',
      TABLEHOOKS_WEBHOOK_CONCURRENCY: '16',
    });
    const start = async () => {
      const s = await startServer(env);
      keepOutput(`crash-${dialect}`, s);
      return s;
    };
    server = await start();
    let base = server.url;
    let up: Promise<void> = Promise.resolve();

    const fac = `crash-${dialect}`;
    expect(
      (
        await http(base, 'POST', '/v1/facility', OPERATOR_KEY, {
          id: fac,
          name: 'Crash',
          plan: 'premium',
        })
      ).status,
    ).toBe(201);
    const key = (
      await http(base, 'POST', `/v1/facility/${fac}/api-keys`, OPERATOR_KEY, {
        name: 'k',
        scopes: ['webhooks'],
      })
    ).json.key as string;
    recordSecret('crash api key', key);
    const password = `crash-pw-${SEED}-${dialect}`;
    recordSecret('crash webhook password', password);
    const hook = await http(base, 'POST', `/v1/facility/${fac}/webhooks`, key, {
      url: receiver.url,
      username: 'u',
      password,
      events: ['booking_created'],
    });
    expect(hook.status).toBe(201);

    // The load: every id is pushed until the API acknowledges it (202 = durable).
    const acked = new Set<number>();
    let clientRetries = 0;
    let next = 1;
    const deadline = Date.now() + 150_000;
    const worker = async () => {
      while (next <= EVENTS && Date.now() < deadline) {
        const id = next++;
        for (;;) {
          await up;
          try {
            const res = await http(base, 'POST', `/v1/facility/${fac}/events`, OPERATOR_KEY, {
              id,
              type: 'booking',
              action: 'BOOKING_CREATED',
            });
            if (res.status === 202) {
              acked.add(id);
              break;
            }
            expect(res.status, JSON.stringify(res.json)).toBeGreaterThanOrEqual(500);
          } catch {
            // The process died under this request: unknown whether it was stored. Send again.
          }
          clientRetries++;
          if (Date.now() > deadline) throw new Error(`event ${id} was never acknowledged`);
          await sleep(20);
        }
      }
    };
    const startedAt = Date.now();
    const load = Promise.all(Array.from({ length: WORKERS }, worker));

    // The kills: at KILLS random points of the load (by events acknowledged so far), so they
    // spread over the whole run however fast this machine is.
    const killAt = Array.from({ length: KILLS }, () =>
      Math.floor(EVENTS * (0.05 + 0.9 * random())),
    );
    killAt.sort((a, b) => a - b);
    let kills = 0;
    let killedInFlight = 0;
    for (const threshold of killAt) {
      while (acked.size < threshold && Date.now() < deadline) await sleep(5 + random() * 50);
      let restarted!: () => void;
      up = new Promise((r) => {
        restarted = r;
      });
      const inFlight = receiver.open;
      server.child.kill('SIGKILL');
      await server.exited;
      kills++;
      if (inFlight > 0) killedInFlight++;
      server = await start();
      base = server.url;
      restarted();
    }
    await load;
    expect(acked.size).toBe(EVENTS);

    // Everything acknowledged arrives, and nothing stays pending.
    const missing = () => {
      const arrived = new Set(receiver!.received.map((r) => JSON.parse(r.body).id as number));
      return [...acked].filter((id) => !arrived.has(id)).length;
    };
    await expect
      .poll(missing, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe(0);
    const ingestedAt = Date.now();
    const unfinished = () =>
      store!.db.selectFrom('deliveries').selectAll().where('status', '!=', 'succeeded').execute();
    try {
      await expect
        .poll(async () => (await unfinished()).length, { timeout: 30_000, interval: 250 })
        .toBe(0);
    } catch (err) {
      const rows = await unfinished();
      const attempts = await store.db
        .selectFrom('attempts')
        .selectAll()
        .where(
          'delivery_id',
          'in',
          rows.slice(0, 5).map((r) => r.id),
        )
        .execute();
      throw new Error(
        `unfinished deliveries at ${Date.now()}: ${JSON.stringify(rows.slice(0, 5))}\nattempts: ${JSON.stringify(attempts)}`,
        { cause: err },
      );
    }

    const copies = new Map<string, number>();
    for (const r of receiver.received) {
      const id = String(r.headers['webhook-id']);
      copies.set(id, (copies.get(id) ?? 0) + 1);
    }
    const deliveries = await store.db.selectFrom('deliveries').select('id').execute();
    const duplicates = receiver.received.length - copies.size;
    const maxCopies = Math.max(...copies.values());
    report(`crash ${dialect}`, {
      seed: SEED,
      events: EVENTS,
      acknowledged: acked.size,
      lost: missing(),
      kills,
      killsWithDeliveriesInFlight: killedInFlight,
      clientResends: clientRetries,
      deliveries: deliveries.length,
      requestsReceived: receiver.received.length,
      duplicates,
      webhookIdsSentTwiceOrMore: [...copies.values()].filter((n) => n > 1).length,
      maxCopiesOfOneWebhookId: maxCopies,
      stuckPending: 0,
      loadSeconds: Math.round((ingestedAt - startedAt) / 1000),
      drainSeconds: Math.round((Date.now() - ingestedAt) / 1000),
    });
    expect(kills).toBeGreaterThanOrEqual(5);
    // Every delivery row was sent, and nothing was sent that has no row.
    expect(new Set(deliveries.map((d) => d.id))).toEqual(new Set(copies.keys()));
    expect(maxCopies).toBeLessThanOrEqual(MAX_COPIES_PER_WEBHOOK_ID);
  }, 240_000);
});
