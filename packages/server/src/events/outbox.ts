// The transactional outbox. A change and its event commit together or not at all, and the
// event's deliveries (one per subscribed, enabled webhook) are queued in the same
// transaction, so a crash between "event" and "fan-out" cannot exist.

import type { Kysely, QueryCreator, Selectable, Transaction } from 'kysely';
import type { Clock, Random } from '../clock.js';
import { hotQuery } from '../db/hot-query.js';
import { insertInFacility, insertInFacilityQuery } from '../db/insert-in-facility.js';
import type { Database, EventsTable, ResourceType } from '../db/schema.js';
import { notFound } from '../errors.js';
import type { DeliveryQueue, QueueTx } from '../queue/queue.js';
import {
  createInOneStatement,
  type Done,
  ingestInOneStatement,
  type OneStatementCreation,
} from './create-in-one-statement.js';
import { EVENT_COLUMNS } from './event-columns.js';
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

// Every change made through the API runs these and the queue's insert, each built once
// (see hot-query.ts).
// The event's insert also checks that the facility exists (an ingested event has no other row).
const insertEvent = insertInFacility('events', EVENT_COLUMNS);

type NewEvent = Omit<Selectable<EventsTable>, 'id'>;

const subscribersOf = (db: QueryCreator<Database>, p: { facilityId: string; event: string }) =>
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
    .where('w.enabled', '=', 1);

const subscribers = hotQuery(subscribersOf);

/**
 * Both in one statement where the store allows it (PostgreSQL): the event's insert in a
 * WITH, its subscribers joined to it, one round trip. No row back: no such facility; one
 * row with a null webhook: no subscriber. The insert's foreign-key check still runs at the
 * end of the statement, as it did alone, so no lock is taken earlier or in another order.
 */
const insertEventWithSubscribers = hotQuery((db, p: NewEvent) =>
  db
    .with('ev', (qc) => insertInFacilityQuery(qc, 'events', EVENT_COLUMNS, p).returning('id'))
    .selectFrom('ev')
    .leftJoin(
      (qc) =>
        subscribersOf(qc as unknown as QueryCreator<Database>, {
          facilityId: p.facility_id,
          event: p.event,
        }).as('s'),
      (join) => join.onTrue(),
    )
    .select('ev.id as event_id')
    .selectAll('s'),
);

/** A subscribed webhook, as the subscribers query answers it. */
type Subscriber = Awaited<ReturnType<typeof subscribers.execute>>[number];

/** Inserts the event and reads who subscribes to it; undefined if there is no such facility. */
async function insertWithSubscribers(
  tx: QueueTx,
  row: NewEvent,
): Promise<{ eventId: number; targets: Subscriber[] } | undefined> {
  if (tx.profile.writableCte) {
    const rows = await insertEventWithSubscribers.execute(tx.trx, row);
    if (rows.length === 0) return undefined;
    const targets: Subscriber[] = [];
    for (const r of rows) if (r.webhook_id !== null) targets.push(r as Subscriber);
    return { eventId: rows[0]!.event_id, targets };
  }
  const [event] = await insertEvent.execute(tx.trx, row);
  if (!event) return undefined;
  const targets = await subscribers.execute(tx.trx, {
    facilityId: row.facility_id,
    event: row.event,
  });
  return { eventId: event.id, targets };
}

/** Writes the event and queues its deliveries. */
export async function recordEvent(
  tx: QueueTx,
  clock: Clock,
  input: EventInput,
): Promise<{ eventId: number }> {
  const recorded = await insertWithSubscribers(tx, {
    facility_id: input.facilityId,
    resource_type: input.resourceType,
    resource_id: input.resourceId,
    event: input.event,
    source: input.source,
    created_at: clock.now(),
  });
  if (!recorded) throw notFound('facility');
  const { eventId, targets } = recorded;
  await tx.enqueue(
    {
      facilityId: input.facilityId,
      eventId,
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
  return { eventId };
}

/**
 * A creation through the API with its event, in one statement where the store allows it
 * (create-in-one-statement.ts). Undefined when it doesn't, or when the new resource is in
 * line already: then the caller runs the general way (withEvents). Null: no such facility.
 */
export function createWithEvent<T extends 'bookings' | 'productorders'>(
  deps: OutboxDeps,
  creation: Omit<OneStatementCreation<T>, 'now'>,
): Promise<Selectable<Database[T]> | null | undefined> {
  return inOneStatement(deps, (db, random, wakeCall, now) =>
    createInOneStatement(db, random, wakeCall, { ...creation, now }),
  );
}

/**
 * The same for an event an operator pushes, when it is a creation (the first event of its
 * resource, most likely); any other event, or one whose resource is in line, gets
 * undefined: the caller records it the general way.
 */
export function ingestWithEvent(
  deps: OutboxDeps,
  input: Omit<EventInput, 'source'>,
): Promise<{ eventId: number } | null | undefined> {
  if (!input.event.endsWith('_created')) return Promise.resolve(undefined);
  return inOneStatement(deps, (db, random, wakeCall, now) =>
    ingestInOneStatement(db, random, wakeCall, { ...input, now }),
  );
}

/** Runs one statement through the queue (which wakes this process's dispatcher). */
function inOneStatement<T>(
  deps: OutboxDeps,
  run: (
    db: Kysely<Database>,
    random: Random,
    wakeCall: string,
    now: number,
  ) => Promise<Done<T> | null | 'in line'>,
): Promise<T | null | undefined> {
  const { queue, clock } = deps;
  if (!queue.oneStatementWrites) return Promise.resolve(undefined);
  return queue.inOneStatement(async ({ db, random, wakeCall }) => {
    const done = await run(db, random, wakeCall, clock.now());
    if (done === 'in line') return { value: undefined, due: 0 };
    if (done === null) return { value: null, due: 0 };
    return done;
  });
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
