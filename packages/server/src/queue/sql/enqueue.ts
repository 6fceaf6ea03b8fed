// An event's fan-out: one delivery per subscribed webhook, due now (or held while the
// facility is not on the premium plan). Runs in the transaction that records the event.
import type { Kysely } from 'kysely';
import type { Random } from '../../clock.js';
import type { Database, DeliveriesTable, ResourceType } from '../../db/schema.js';
import { newId } from '../../ids.js';
import { insertDeliveries } from './insert.js';

export interface EnqueueEvent {
  facilityId: string;
  eventId: number;
  resourceType: ResourceType;
  resourceId: number;
  event: string;
}

export interface EnqueueTarget {
  webhookId: string;
  /** The facility is on the premium plan: deliveries are due now, not paused. */
  premium: boolean;
}

/** Inserts the deliveries; answers how many are due now. */
export async function enqueue(
  trx: Kysely<Database>,
  random: Random,
  now: number,
  e: EnqueueEvent,
  targets: readonly EnqueueTarget[],
): Promise<number> {
  if (targets.length === 0) return 0;
  let due = 0;
  const rows: DeliveriesTable[] = targets.map((t) => {
    if (t.premium) due++;
    return {
      id: newId(random, 'msg'),
      webhook_id: t.webhookId,
      facility_id: e.facilityId,
      event_id: e.eventId,
      resource_type: e.resourceType,
      resource_id: e.resourceId,
      event: e.event,
      // A facility on the free plan keeps its events, held until it upgrades.
      status: t.premium ? 'pending' : 'paused',
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
    };
  });
  await insertDeliveries(trx, rows);
  return due;
}
