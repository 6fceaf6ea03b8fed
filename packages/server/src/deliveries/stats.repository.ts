// Deliveries per hour for the delivery log's chart, counted by the database (one indexed
// range of deliveries_webhook_created, grouped) rather than by fetching rows to count them.
// The same SQL on both stores: created_at is integer milliseconds, so `/` is integer division.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { retrying } from './retrying.js';

export const HOUR_MS = 3_600_000;

export interface HourCounts {
  hour: number;
  delivered: number;
  failed: number;
  retrying: number;
  pending: number;
}

export async function countByHour(
  db: Kysely<Database>,
  webhookId: string,
  from: number,
  to: number,
): Promise<HourCounts[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => [
      sql<number | string>`created_at / ${sql.lit(HOUR_MS)}`.as('h'),
      sql<number | string>`sum(case when status = 'succeeded' then 1 else 0 end)`.as('delivered'),
      sql<number | string>`sum(case when status in ('failed', 'expired') then 1 else 0 end)`.as(
        'failed',
      ),
      sql<number | string>`sum(case when ${retrying(eb)} then 1 else 0 end)`.as('retrying'),
      sql<number | string>`sum(case when status in ('blocked', 'paused')
        or (status = 'pending' and attempt_count = 0) then 1 else 0 end)`.as('pending'),
    ])
    .where('webhook_id', '=', webhookId)
    .where('is_test', '=', 0)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy(sql`created_at / ${sql.lit(HOUR_MS)}`)
    .execute();
  return rows.map((r) => ({
    hour: Number(r.h) * HOUR_MS,
    delivered: Number(r.delivered),
    failed: Number(r.failed),
    retrying: Number(r.retrying),
    pending: Number(r.pending),
  }));
}
