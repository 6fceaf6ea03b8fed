// A backlog written straight into the store with SQL, mirroring the rows the outbox
// (packages/server/src/events/outbox.ts) writes for an ingested `booking_created`: one
// events row and, per subscribed webhook, one pending deliveries row due now. It is only
// faster than 20,000 or 1,000,000 API calls; the dispatcher can't tell the difference.
// Up to 100,000 events go in one transaction, so a running dispatcher sees them all at once;
// beyond that, stop the service first (its claims would race the remaining chunks).
import { randomBytes } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { Store } from './service.js';

export interface BacklogHook {
  facilityId: string;
  webhookId: string;
}

const CHUNK = 100_000;

/**
 * `total` events, dealt round-robin to `hooks` (event i goes to hooks[i % n]), with
 * resource ids 1…total and due times one millisecond apart, all in the past.
 */
export async function insertBacklog(
  store: Store,
  hooks: BacklogHook[],
  total: number,
): Promise<void> {
  // Unique per backlog, and as long as a real id (msg_ + 16 characters).
  const tag = randomBytes(3).toString('hex').slice(0, 4);
  const t0 = Date.now() - total;
  if (store.kind === 'sqlite') insertSqlite(store.sqliteFile, hooks, total, tag, t0);
  else await insertPostgres(store.databaseUrl!, hooks, total, tag, t0);
}

function deliveryId(tag: string, i: number): string {
  return `msg_${tag}${String(i).padStart(12, '0')}`;
}

function insertSqlite(
  file: string,
  hooks: BacklogHook[],
  total: number,
  tag: string,
  t0: number,
): void {
  const db = new Sqlite(file);
  try {
    db.pragma('journal_mode = WAL');
    // The service may be running (idle): wait for its connection rather than fail.
    db.pragma('busy_timeout = 10000');
    const event = db.prepare(
      `insert into events (facility_id, resource_type, resource_id, event, source, created_at)
       values (?, 'booking', ?, 'booking_created', 'ingest', ?)`,
    );
    const delivery = db.prepare(
      `insert into deliveries (id, webhook_id, facility_id, event_id, resource_type, resource_id, event,
         status, tries, attempt_count, next_attempt_at, leased_by, is_test, created_at)
       values (?, ?, ?, ?, 'booking', ?, 'booking_created', 'pending', 0, 0, ?, null, 0, ?)`,
    );
    const chunk = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const hook = hooks[i % hooks.length]!;
        const at = t0 + i;
        const eventId = event.run(hook.facilityId, i + 1, at).lastInsertRowid;
        delivery.run(deliveryId(tag, i), hook.webhookId, hook.facilityId, eventId, i + 1, at, at);
      }
    });
    for (let from = 0; from < total; from += CHUNK) chunk(from, Math.min(total, from + CHUNK));
  } finally {
    db.close();
  }
}

async function insertPostgres(
  url: string,
  hooks: BacklogHook[],
  total: number,
  tag: string,
  t0: number,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const webhookIds = hooks.map((h) => h.webhookId);
    const facilityIds = hooks.map((h) => h.facilityId);
    for (let from = 0; from < total; from += CHUNK) {
      const to = Math.min(total, from + CHUNK) - 1;
      await client.query(
        `with ev as (
           insert into events (facility_id, resource_type, resource_id, event, source, created_at)
           select ($2::text[])[1 + (g % $3)], 'booking', g + 1, 'booking_created', 'ingest', $4::bigint + g
           from generate_series($5::bigint, $6::bigint) g
           order by g
           returning id, facility_id, resource_id, created_at
         )
         insert into deliveries (id, webhook_id, facility_id, event_id, resource_type, resource_id, event,
           status, tries, attempt_count, next_attempt_at, leased_by, is_test, created_at)
         select 'msg_' || $7 || lpad((ev.resource_id - 1)::text, 12, '0'),
                ($1::text[])[1 + ((ev.resource_id - 1) % $3)], ev.facility_id, ev.id, 'booking',
                ev.resource_id, 'booking_created', 'pending', 0, 0, ev.created_at, null, 0, ev.created_at
         from ev`,
        [webhookIds, facilityIds, hooks.length, t0, from, to, tag],
      );
    }
    // Autovacuum would analyze tables this size within a minute; do it now, so the plans
    // are those of a database in steady state.
    await client.query('analyze events; analyze deliveries');
  } finally {
    await client.end();
  }
}
