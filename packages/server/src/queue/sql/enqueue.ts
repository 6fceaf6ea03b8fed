// An event's fan-out: per subscribed webhook, a delivery — or none, when a waiting update of
// the same resource stands for this one too (coalesce_updates). A delete first supersedes
// the waiting created/updated deliveries of its resource (supersede_on_delete). With
// ordering per_resource, a delivery behind an open one of the same resource waits `blocked`.
// Runs in the transaction that records the event.
import type { Kysely } from 'kysely';
import type { Random } from '../../clock.js';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database, DeliveriesTable, Ordering, ResourceType } from '../../db/schema.js';
import { newId } from '../../ids.js';
import { FIRST_DELIVERIES_MAX, queueFirstDeliveries } from './first-deliveries.js';
import { insertDeliveries } from './insert.js';
import {
  nextSequences,
  type OpenDelivery,
  openDeliveries,
  promoteNext,
  waiting,
} from './resource-order.js';

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
  ordering: Ordering;
  coalesceUpdates: boolean;
  supersedeOnDelete: boolean;
}

export interface Enqueued {
  /** Deliveries made due now (pending). */
  due: number;
  /** The dispatchers' wake-up rode along in the insert (see `wakeCall`). */
  woken: boolean;
  /** Webhooks for which a waiting update now stands for this event too. */
  coalesced: number;
  /** Waiting deliveries made unnecessary by this delete. */
  superseded: number;
}

/**
 * `wakeCall`: the store's wake-up as an expression, when this transaction has not sent it
 * yet; if anything becomes due, the insert calls it (one statement instead of two).
 */
export async function enqueue(
  trx: Kysely<Database>,
  profile: DialectProfile,
  random: Random,
  now: number,
  e: EnqueueEvent,
  targets: readonly EnqueueTarget[],
  wakeCall?: string,
): Promise<Enqueued> {
  const result: Enqueued = { due: 0, woken: false, coalesced: 0, superseded: 0 };
  if (targets.length === 0) return result;
  const sorted = [...targets].sort((a, b) => (a.webhookId < b.webhookId ? -1 : 1));
  const change = e.event.slice(e.event.lastIndexOf('_') + 1);
  // A creation is almost always its resource's first event: on PostgreSQL its deliveries go
  // in with the sequences, in one statement, if it is (first-deliveries.ts).
  let ids: Map<string, string> | undefined;
  let sequences: Map<string, number>;
  if (profile.writableCte && change === 'created' && sorted.length <= FIRST_DELIVERIES_MAX) {
    ids = new Map(sorted.map((t) => [t.webhookId, newId(random, 'msg')]));
    const first = sorted.map((t) => ({
      id: ids!.get(t.webhookId)!,
      webhookId: t.webhookId,
      status: t.premium ? ('pending' as const) : ('paused' as const),
    }));
    const due = first.filter((d) => d.status === 'pending').length;
    const wake = due > 0 ? wakeCall : undefined;
    const queued = await queueFirstDeliveries(trx, { ...e, now }, first, wake);
    if (queued.inserted) return { ...result, due, woken: wake !== undefined };
    sequences = queued.sequences;
  } else {
    sequences = await nextSequences(
      trx,
      sorted.map((t) => t.webhookId),
      e.resourceType,
      e.resourceId,
    );
  }
  // A resource's first event for every webhook (the common case: a creation) has no line
  // to join: every delivery ever queued for a line counted in its resource_sequences row,
  // which outlives pruning, and the upgrade's backlog from before sequences got rows when
  // they came (migration 2026-12-02T12). The row is ours until commit, so nobody else can
  // queue one meanwhile either. Then the read of the open deliveries is not needed.
  const first = sorted.every((t) => sequences.get(t.webhookId) === 1);
  const open = first
    ? []
    : await openDeliveries(
        trx,
        sorted.map((t) => t.webhookId),
        e.resourceType,
        e.resourceId,
      );
  const rows: DeliveriesTable[] = [];
  for (const t of sorted) {
    const sequence = sequences.get(t.webhookId)!;
    let line = open.filter((d) => d.webhook_id === t.webhookId);
    const newest = line.at(-1);
    if (change === 'updated' && t.coalesceUpdates && newest?.event === e.event && waiting(newest)) {
      if (await coalesce(trx, newest.id, sequence, now)) {
        result.coalesced++;
        continue;
      }
      // Claimed meanwhile (PostgreSQL): it is being sent; this event gets its own delivery.
    }
    const id = ids?.get(t.webhookId) ?? newId(random, 'msg');
    if (change === 'deleted' && t.supersedeOnDelete) {
      const gone = await supersede(trx, line, id);
      result.superseded += gone.size;
      line = line.filter((d) => !gone.has(d.id));
      // The head was superseded and only blocked ones are left: the next moves up.
      if (gone.size > 0 && line.length > 0 && line.every((d) => d.status === 'blocked')) {
        const key = {
          webhookId: t.webhookId,
          resourceType: e.resourceType,
          resourceId: e.resourceId,
        };
        result.due += await promoteNext(trx, profile, [key], now);
      }
    }
    const behind = t.ordering === 'per_resource' && line.length > 0;
    // A facility on the free plan keeps its events, held until it upgrades.
    const status = behind ? 'blocked' : t.premium ? 'pending' : 'paused';
    if (status === 'pending') result.due++;
    rows.push({
      id,
      webhook_id: t.webhookId,
      facility_id: e.facilityId,
      event_id: e.eventId,
      resource_type: e.resourceType,
      resource_id: e.resourceId,
      event: e.event,
      status,
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
      sequence,
      event_count: 1,
      last_event_at: now,
      superseded_by: null,
    });
  }
  const wake = result.due > 0 ? wakeCall : undefined;
  await insertDeliveries(trx, rows, wake);
  result.woken = wake !== undefined && rows.length > 0;
  return result;
}

/** The waiting update now stands for one more event; false if it was claimed meanwhile. */
async function coalesce(
  trx: Kysely<Database>,
  id: string,
  sequence: number,
  now: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('deliveries')
    .set((eb) => ({
      event_count: eb('event_count', '+', 1),
      sequence,
      last_event_at: now,
    }))
    .where('id', '=', id)
    .where('leased_by', 'is', null)
    .where('status', 'in', ['pending', 'blocked', 'paused'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Waiting created/updated deliveries of the line become superseded by `by`; answers which. */
async function supersede(
  trx: Kysely<Database>,
  line: readonly OpenDelivery[],
  by: string,
): Promise<Set<string>> {
  const victims = line.filter((d) => waiting(d) && !d.event.endsWith('_deleted')).map((d) => d.id);
  if (victims.length === 0) return new Set();
  const rows = await trx
    .updateTable('deliveries')
    .set({ status: 'superseded', superseded_by: by })
    .where('id', 'in', victims)
    .where('leased_by', 'is', null)
    .where('status', 'in', ['pending', 'blocked', 'paused'])
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id));
}
