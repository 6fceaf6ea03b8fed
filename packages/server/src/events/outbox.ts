// The transactional outbox. A change and its event commit together or not at all, and the
// event's deliveries (one per subscribed, enabled webhook) are queued in the same
// transaction, so a crash between "event" and "fan-out" cannot exist.

import type { Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { hotQuery } from '../db/hot-query.js';
import { insertInFacility } from '../db/insert-in-facility.js';
import type { Database, ResourceType } from '../db/schema.js';
import { notFound } from '../errors.js';
import type { DeliveryQueue, QueueTx } from '../queue/queue.js';
import type { EventName } from './event-names.js';

export interface EventInput {
  facilityId: string;
  resourceType: ResourceType;
  resourceId: number;
  event: EventName;
  source: 'api' | 'ingest';
}

export interface OutboxDeps {
  queue: DeliveryQueue;
  clock: Clock;
}

// Every change made through the API runs these two and the queue's insert, each built once
// (see hot-query.ts).
// The event's insert also checks that the facility exists (an ingested event has no other row).
const insertEvent = insertInFacility('events', {
  facility_id: 'text',
  resource_type: 'text',
  resource_id: 'bigint',
  event: 'text',
  source: 'text',
  created_at: 'bigint',
});

const subscribers = hotQuery((db, p: { facilityId: string; event: string }) =>
  db
    .selectFrom('webhook_events as we')
    .innerJoin('webhooks as w', 'w.id', 'we.webhook_id')
    .innerJoin('facilities as f', 'f.id', 'w.facility_id')
    .select([
      'w.id as webhook_id',
      'f.plan',
      'w.ordering',
      'w.coalesce_updates',
      'w.supersede_on_delete',
    ])
    .where('we.facility_id', '=', p.facilityId)
    .where('we.event', '=', p.event)
    .where('w.enabled', '=', 1),
);

/** Writes the event and queues its deliveries. */
export async function recordEvent(
  tx: QueueTx,
  clock: Clock,
  input: EventInput,
): Promise<{ eventId: number }> {
  const [event] = await insertEvent.execute(tx.trx, {
    facility_id: input.facilityId,
    resource_type: input.resourceType,
    resource_id: input.resourceId,
    event: input.event,
    source: input.source,
    created_at: clock.now(),
  });
  if (!event) throw notFound('facility');

  const targets = await subscribers.execute(tx.trx, {
    facilityId: input.facilityId,
    event: input.event,
  });
  await tx.enqueue(
    {
      facilityId: input.facilityId,
      eventId: event.id,
      resourceType: input.resourceType,
      resourceId: input.resourceId,
      event: input.event,
    },
    targets.map((t) => ({
      webhookId: t.webhook_id,
      premium: t.plan === 'premium',
      ordering: t.ordering,
      coalesceUpdates: t.coalesce_updates === 1,
      supersedeOnDelete: t.supersede_on_delete === 1,
    })),
  );
  return { eventId: event.id };
}

export type Emit = (input: EventInput) => Promise<{ eventId: number }>;

/**
 * Runs `work` in one transaction with an `emit` that records events in it; the queue wakes
 * the dispatchers at commit if anything became due.
 */
export function withEvents<T>(
  deps: OutboxDeps,
  work: (trx: Transaction<Database>, emit: Emit) => Promise<T>,
): Promise<T> {
  return deps.queue.transaction((tx) =>
    work(tx.trx, (input) => recordEvent(tx, deps.clock, input)),
  );
}
