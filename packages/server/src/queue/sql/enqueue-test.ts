// A test trigger is a delivery like any other — queued, sent by a dispatcher, shown in the
// log — marked as a test and tried once. It is limited per webhook (one in flight, a few a
// minute), so `POST …/test` can't be used to flood somebody's server with our requests.
import type { Kysely } from 'kysely';
import type { Random } from '../../clock.js';
import type { Database, ResourceType } from '../../db/schema.js';
import { newId } from '../../ids.js';

/** Test triggers one webhook may be sent within a minute. */
export const TESTS_PER_MINUTE = 5;
const MINUTE_MS = 60_000;

export interface TestTrigger {
  webhookId: string;
  facilityId: string;
  event: string;
  resourceType: ResourceType;
  resourceId: number;
}

export type TestQueued =
  | { id: string }
  | { limited: 'in_flight' | 'per_minute'; retryAfterMs: number };

export async function enqueueTest(
  trx: Kysely<Database>,
  random: Random,
  now: number,
  t: TestTrigger,
): Promise<TestQueued> {
  // One test decision at a time per webhook: the row lock (the write lock on SQLite) makes a
  // burst of concurrent requests count one another.
  await trx
    .updateTable('webhooks')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', t.webhookId)
    .execute();
  const inFlight = await trx
    .selectFrom('deliveries')
    .select('id')
    .where('webhook_id', '=', t.webhookId)
    .where('status', '=', 'pending')
    .where('is_test', '=', 1)
    .limit(1)
    .executeTakeFirst();
  if (inFlight) return { limited: 'in_flight', retryAfterMs: 1_000 };
  const recent = await trx
    .selectFrom('deliveries')
    .select('created_at')
    .where('webhook_id', '=', t.webhookId)
    .where('created_at', '>', now - MINUTE_MS)
    .where('is_test', '=', 1)
    .orderBy('created_at')
    .execute();
  if (recent.length >= TESTS_PER_MINUTE) {
    // Room again once the oldest of the last minute's tests is a minute old.
    const oldest = recent[recent.length - TESTS_PER_MINUTE]!.created_at;
    return { limited: 'per_minute', retryAfterMs: Math.max(1_000, oldest + MINUTE_MS - now) };
  }
  const id = newId(random, 'msg');
  await trx
    .insertInto('deliveries')
    .values({
      id,
      webhook_id: t.webhookId,
      facility_id: t.facilityId,
      event_id: null,
      resource_type: t.resourceType,
      resource_id: t.resourceId,
      event: t.event,
      status: 'pending',
      tries: 0,
      attempt_count: 0,
      next_attempt_at: now,
      leased_by: null,
      is_test: 1,
      created_at: now,
      last_attempt_at: null,
      last_status_code: null,
      last_error: null,
      succeeded_at: null,
      // A test stands outside every resource's line and sequence.
      sequence: 0,
      event_count: 1,
      last_event_at: now,
      superseded_by: null,
    })
    .execute();
  return { id };
}
