// The transactional outbox. A change and its event commit together or not at all, and the
// event's deliveries (one per subscribed, enabled webhook) are written in the same
// transaction, so a crash between "event" and "fan-out" cannot exist.
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Clock, Random } from '../clock.js';
import type { DialectProfile } from '../db/dialect.js';
import { hotQuery } from '../db/hot-query.js';
import type { Database, DeliveriesTable, ResourceType } from '../db/schema.js';
import { notFound } from '../errors.js';
import { insertInFacility } from '../facilities/facilities.repository.js';
import { newId } from '../ids.js';
import type { EventName } from './event-names.js';
import { insertDeliveries } from './insert-deliveries.js';

export interface EventInput {
  facilityId: string;
  resourceType: ResourceType;
  resourceId: number;
  event: EventName;
  source: 'api' | 'ingest';
}

export interface OutboxDeps {
  store: { db: Kysely<Database>; profile: DialectProfile };
  clock: Clock;
  random: Random;
  wake: () => void;
}

// Every change made through the API runs these two and insertDeliveries, each built once
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
    .select(['w.id as webhook_id', 'f.plan'])
    .where('we.facility_id', '=', p.facilityId)
    .where('we.event', '=', p.event)
    .where('w.enabled', '=', 1),
);

/** Writes the event and its deliveries; answers how many deliveries are due now. */
export async function recordEvent(
  trx: Transaction<Database>,
  deps: Omit<OutboxDeps, 'wake'>,
  input: EventInput,
): Promise<{ eventId: number; due: number }> {
  const now = deps.clock.now();
  const [event] = await insertEvent.execute(trx, {
    facility_id: input.facilityId,
    resource_type: input.resourceType,
    resource_id: input.resourceId,
    event: input.event,
    source: input.source,
    created_at: now,
  });
  if (!event) throw notFound('facility');

  const targets = await subscribers.execute(trx, {
    facilityId: input.facilityId,
    event: input.event,
  });
  if (targets.length === 0) return { eventId: event.id, due: 0 };

  const rows: DeliveriesTable[] = targets.map((t) => ({
    id: newId(deps.random, 'msg'),
    webhook_id: t.webhook_id,
    facility_id: input.facilityId,
    event_id: event.id,
    resource_type: input.resourceType,
    resource_id: input.resourceId,
    event: input.event,
    // A facility on the free plan keeps its events, held until it upgrades.
    status: t.plan === 'premium' ? 'pending' : 'paused',
    tries: 0,
    attempt_count: 0,
    next_attempt_at: now,
    leased_by: null,
    is_test: 0,
    created_at: now,
    last_attempt_at: null,
    last_status_code: null,
    last_error: null,
    succeeded_at: null,
  }));
  await insertDeliveries(trx, rows);
  const due = rows.filter((r) => r.status === 'pending').length;
  if (due > 0) await notifyDispatchers(trx, deps.store.profile);
  return { eventId: event.id, due };
}

/** Inside a transaction that made deliveries due: wakes dispatchers in other processes at commit. */
export async function notifyDispatchers(
  trx: Transaction<Database>,
  profile: DialectProfile,
): Promise<void> {
  if (profile.wakeStatement) await trx.executeQuery(CompiledQuery.raw(profile.wakeStatement));
}

export type Emit = (input: EventInput) => Promise<{ eventId: number }>;

/**
 * Runs `work` in one transaction with an `emit` that records events in it; after commit,
 * wakes the in-process dispatcher if anything became due.
 */
export async function withEvents<T>(
  deps: OutboxDeps,
  work: (trx: Transaction<Database>, emit: Emit) => Promise<T>,
): Promise<T> {
  let due = 0;
  const result = await deps.store.db.transaction().execute((trx) =>
    work(trx, async (input) => {
      const recorded = await recordEvent(trx, deps, input);
      due += recorded.due;
      return { eventId: recorded.eventId };
    }),
  );
  if (due > 0) deps.wake();
  return result;
}
