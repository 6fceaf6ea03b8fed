// PostgreSQL on the same machine over its Unix socket, in the DATABASE_URL form the docs give
// (postgres:///db?host=/var/run/postgresql&user=…): the real binary starts, migrates, and a
// booking made through it reaches a receiver.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { OPERATOR_KEY, TEST_SECRET_KEY } from '../support/harness.js';
import { type Running, startServer } from '../support/process.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestStore, type TestStore } from '../support/stores.js';

const SOCKET_DIR = '/var/run/postgresql';

describe.skipIf('skipped' in inject('postgres') || !existsSync(`${SOCKET_DIR}/.s.PGSQL.5432`))(
  'DATABASE_URL over a Unix socket [postgres]',
  () => {
    let store: TestStore | undefined;
    let server: Running | undefined;
    let receiver: TestReceiver | undefined;
    afterAll(async () => {
      server?.child.kill('SIGKILL');
      await receiver?.close();
      await store?.drop();
    });

    it('serves and delivers with postgres:///db?host=<socket folder>&user=…', async () => {
      store = await createTestStore('postgres');
      const tcp = new URL(store.databaseUrl!);
      const user = decodeURIComponent(tcp.username) || 'postgres';
      const socketUrl = `postgres://${tcp.pathname}?host=${SOCKET_DIR}&user=${encodeURIComponent(user)}`;
      receiver = await TestReceiver.start();
      server = await startServer({
        TABLEHOOKS_DATA_DIR: store.dataDir,
        DATABASE_URL: socketUrl,
        TABLEHOOKS_SECRET_KEY: TEST_SECRET_KEY,
        TABLEHOOKS_OPERATOR_KEY: OPERATOR_KEY,
        TABLEHOOKS_ALLOWED_TARGETS: '127.0.0.1/32',
        TABLEHOOKS_LOG_LEVEL: 'warn',
      });
      // The start-up line names the socket folder, not an empty host.
      expect(server.stdout()).toContain(`postgres: ${SOCKET_DIR}${tcp.pathname}`);
      const call = async (path: string, key: string, body: unknown) => {
        const res = await fetch(`${server!.url}${path}`, {
          method: 'POST',
          headers: { 'api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status, await res.clone().text()).toBeLessThan(300);
        return (await res.json()) as Record<string, unknown>;
      };
      await call('/v1/facility', OPERATOR_KEY, { id: 'sock', name: 'Sock', plan: 'premium' });
      const { key } = await call('/v1/facility/sock/api-keys', OPERATOR_KEY, {
        name: 'k',
        scopes: ['read', 'write', 'webhooks'],
      });
      await call('/v1/facility/sock/webhooks', key as string, {
        url: receiver.url,
        username: 'u',
        password: 'p',
        events: ['booking_created'],
      });
      const booking = await call('/v1/facility/sock/bookings', key as string, {
        num: 2,
        date: '2026-12-31T20:00:00+01:00',
        name: 'Guest',
      });
      await receiver.waitFor(1, 10_000);
      expect(JSON.parse(receiver.received[0]!.body)).toEqual({
        id: booking.id,
        facility_id: 'sock',
        action: 'BOOKING_CREATED',
      });
      // Every connection of the service came over the socket: none from a TCP address.
      const admin = new pg.Client({ connectionString: store.databaseUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ socket: number; tcp: number }>(
          `select count(*) filter (where client_addr is null)::int as socket,
                  count(*) filter (where client_addr is not null)::int as tcp
             from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
        );
        expect(rows[0]!.socket).toBeGreaterThan(0);
        expect(rows[0]!.tcp).toBe(0);
      } finally {
        await admin.end();
      }
    }, 60_000);
  },
);
