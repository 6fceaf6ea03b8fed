// The real binary in its own processes: killed mid-delivery, and two dispatchers sharing
// one PostgreSQL.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { call, createFacility } from '../support/fixtures.js';
import { createHarness, envFor, OPERATOR_KEY } from '../support/harness.js';
import { type Running, startServer } from '../support/process.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';

const booking = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

async function http(server: Running, method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      'api-key': key,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
}

describeEachDialect('a service killed mid-delivery', (dialect) => {
  let store: TestStore | undefined;
  let receiver: TestReceiver | undefined;
  const servers: Running[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) s.child.kill('SIGKILL');
    await receiver?.close();
    await store?.drop();
  });

  it('loses nothing: every delivery arrives after a restart, with its own webhook-id', async () => {
    store = await createTestStore(dialect);
    receiver = await TestReceiver.start();
    const env = envFor(store, {
      // A timeout longer than it takes to create the bookings under load: only the requests
      // in flight at the kill can come twice, not retries of ones that timed out before it.
      TABLEHOOKS_LEASE_MS: '6000',
      TABLEHOOKS_DELIVERY_TIMEOUT_MS: '5000',
      TABLEHOOKS_POLL_INTERVAL_MS: '500',
    });
    let server = await startServer(env);
    servers.push(server);
    expect(
      (
        await http(server, 'POST', '/v1/facility', OPERATOR_KEY, {
          id: 'the-fish',
          name: 'The Fish',
          plan: 'premium',
        })
      ).status,
    ).toBe(201);
    const key = (
      await http(server, 'POST', '/v1/facility/the-fish/api-keys', OPERATOR_KEY, {
        name: 'k',
        scopes: ['write', 'webhooks'],
      })
    ).json.key;
    const hook = await http(server, 'POST', '/v1/facility/the-fish/webhooks', key, {
      url: receiver.url,
      username: 'u',
      password: 'p',
      events: ['booking_created'],
    });
    expect(hook.status).toBe(201);

    // The receiver takes requests but doesn't answer: the dispatcher dies with them in flight.
    receiver.setDefault('hang');
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const created = await http(server, 'POST', '/v1/facility/the-fish/bookings', key, booking);
      expect(created.status).toBe(201);
      ids.push(created.json.id);
    }
    await receiver.waitFor(8);
    server.child.kill('SIGKILL');
    await server.exited;

    receiver.setDefault({ status: 200 });
    server = await startServer(env);
    servers.push(server);
    const expected = new Set(ids);
    await expect
      .poll(() => new Set(receiver!.received.map((r) => JSON.parse(r.body).id)).size, {
        timeout: 20_000,
        interval: 200,
      })
      .toBe(expected.size);
    await expect
      .poll(
        async () => {
          const rows = await store!.db.selectFrom('deliveries').select('status').execute();
          return rows.filter((r) => r.status !== 'succeeded').length;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(0);
    const byMessage = new Map<string, number>();
    for (const r of receiver.received) {
      byMessage.set(
        String(r.headers['webhook-id']),
        (byMessage.get(String(r.headers['webhook-id'])) ?? 0) + 1,
      );
    }
    expect(byMessage.size).toBe(40);
    // Only the ones in flight at the kill may come twice.
    expect([...byMessage.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(8);
  });
});

describe.skipIf('skipped' in inject('postgres'))(
  'two dispatcher processes on one PostgreSQL [postgres]',
  () => {
    let store: TestStore | undefined;
    let receiver: TestReceiver | undefined;
    const servers: Running[] = [];
    afterEach(async () => {
      for (const s of servers.splice(0)) s.child.kill('SIGKILL');
      await receiver?.close();
      await store?.drop();
    });

    it('deliver 1,000 events exactly once between them, woken by NOTIFY', async () => {
      store = await createTestStore('postgres');
      receiver = await TestReceiver.start();
      // Dispatchers only, with a poll of a minute: they learn of new work from NOTIFY.
      const env = envFor(store, {
        TABLEHOOKS_ROLE: 'dispatcher',
        TABLEHOOKS_POLL_INTERVAL_MS: '60000',
        TABLEHOOKS_LOG_LEVEL: 'info',
      });
      servers.push(await startServer(env), await startServer(env));

      // The API side: this test process, on the same database, with no dispatcher of its own.
      const api = await createHarness('postgres', {}, { store });
      const fac = await createFacility(api);
      const hook = await call(api, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/webhooks`,
        key: fac.key,
        body: { url: receiver.url, username: 'u', password: 'p', events: ['booking_created'] },
      });
      expect(hook.status).toBe(201);
      for (let i = 0; i < 1000; i++) {
        const res = await call(api, {
          method: 'POST',
          url: `/v1/facility/${fac.id}/events`,
          key: OPERATOR_KEY,
          body: { id: i + 1, type: 'booking', action: 'BOOKING_CREATED' },
        });
        expect(res.status).toBe(202);
      }
      await receiver.waitFor(1000, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      const messageIds = receiver.received.map((r) => r.headers['webhook-id']);
      expect(messageIds).toHaveLength(1000);
      expect(new Set(messageIds).size).toBe(1000);
      expect(new Set(receiver.received.map((r) => JSON.parse(r.body).id)).size).toBe(1000);
      // Both took a share of the work.
      for (const s of servers)
        expect(s.stdout().split('"delivery attempt"').length - 1).toBeGreaterThan(0);
      await api.close();
    }, 90_000);
  },
);
