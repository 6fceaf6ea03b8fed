// A resource's first event in one statement (PostgreSQL): the line's sequences and, if every
// one of them is 1 — nothing was ever queued in any of the lines — its deliveries, with the
// dispatchers' wake-up. That is every creation made through the API: one round trip where
// the general path (enqueue.ts) makes two. When some line already exists (an ingested event
// for a resource seen before), the statement inserts nothing and answers the sequences, and
// the caller goes on as the general path does: the resource_sequences rows, taken by the
// upsert, stay locked until commit either way.
//
// The sequences come first and the deliveries' insert reads them, so the locks are taken in
// the same order as on the general path: the resource_sequences rows, then the deliveries
// (whose foreign keys check the webhook rows at the end of the statement, as before).
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type HotQuery, hotQuery } from '../../db/hot-query.js';
import type { Database, DeliveryStatus, ResourceType } from '../../db/schema.js';

export interface FirstDelivery {
  id: string;
  webhookId: string;
  /** pending (due now) or paused (held: the facility is not on the premium plan). */
  status: Extract<DeliveryStatus, 'pending' | 'paused'>;
}

export interface FirstEvent {
  facilityId: string;
  eventId: number;
  resourceType: ResourceType;
  resourceId: number;
  event: string;
  now: number;
}

/** The most deliveries one statement carries; more go the general way. */
export const FIRST_DELIVERIES_MAX = 16;

interface Row {
  webhook_id: string;
  last_sequence: number | string;
  inserted: number | string;
}

/** What a first delivery is made of, as SQL: the rest of its columns are a new delivery's. */
export interface FirstDeliverySql {
  id: RawBuilder<unknown>;
  webhookId: RawBuilder<unknown>;
  facilityId: RawBuilder<unknown>;
  eventId: RawBuilder<unknown>;
  resourceType: RawBuilder<unknown>;
  resourceId: RawBuilder<unknown>;
  event: RawBuilder<unknown>;
  status: RawBuilder<unknown>;
  sequence: RawBuilder<unknown>;
  now: RawBuilder<unknown>;
}

/** `insert into deliveries (…) select …`, for the caller to add its FROM (PostgreSQL). */
export function insertFirstDeliveries(v: FirstDeliverySql): RawBuilder<unknown> {
  return sql`insert into deliveries (id, webhook_id, facility_id, event_id, resource_type,
      resource_id, event, status, tries, attempt_count, next_attempt_at, leased_by, is_test,
      created_at, last_attempt_at, last_status_code, last_error, succeeded_at, sequence,
      event_count, last_event_at, superseded_by)
    select ${v.id}, ${v.webhookId}, ${v.facilityId}, ${v.eventId}, ${v.resourceType},
      ${v.resourceId}, ${v.event}, ${v.status}, 0, 0, ${v.now}, null, 0, ${v.now}, null, null,
      null, null, ${v.sequence}, 1, ${v.now}, null`;
}

/**
 * `insert into resource_sequences … returning webhook_id, last_sequence` from `rows` (a
 * VALUES list or a SELECT of webhook_id, resource_type, resource_id, 1): each line's next
 * sequence (1 for its first event), its row locked until commit.
 */
export function upsertSequences(rows: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into resource_sequences (webhook_id, resource_type, resource_id, last_sequence)
    ${rows}
    on conflict (webhook_id, resource_type, resource_id)
    do update set last_sequence = resource_sequences.last_sequence + 1
    returning webhook_id, last_sequence`;
}

/**
 * A select-list column `as` that calls the store's wake-up once if `inserted` (a CTE of
 * inserted deliveries returning their status) holds a due one; nothing without `wakeCall`.
 */
export function wakeIfDue(
  wakeCall: string | undefined,
  inserted: string,
  as: string,
): RawBuilder<unknown> {
  if (!wakeCall) return sql``;
  return sql`, (select ${sql.raw(wakeCall)} from ${sql.raw(inserted)} where status = 'pending' limit 1) as ${sql.raw(as)}`;
}

const statements = new Map<string, HotQuery<Record<string, unknown>, Row>>();

function statement(
  n: number,
  wakeCall: string | undefined,
): HotQuery<Record<string, unknown>, Row> {
  const key = wakeCall ? `${n} ${wakeCall}` : `${n}`;
  let found = statements.get(key);
  if (found) return found;
  found = hotQuery((db, p: Record<string, unknown>) => {
    const lines = Array.from({ length: n }, (_, i) => sql`(${p[`w${i}`]}, ${p.rt}, ${p.rid}, 1)`);
    // PostgreSQL can't type a parameter in a select list or a VALUES list: each is cast.
    const rows = Array.from(
      { length: n },
      (_, i) =>
        sql`(cast(${p[`id${i}`]} as text), cast(${p[`w${i}`]} as text), cast(${p[`s${i}`]} as text))`,
    );
    const query = sql<Row>`
      with seq as (${upsertSequences(sql`values ${sql.join(lines)}`)}), inserted as (
        ${insertFirstDeliveries({
          id: sql`v.id`,
          webhookId: sql`v.webhook_id`,
          facilityId: sql`cast(${p.facility} as text)`,
          eventId: sql`cast(${p.eventId} as bigint)`,
          resourceType: sql`cast(${p.rt} as text)`,
          resourceId: sql`cast(${p.rid} as bigint)`,
          event: sql`cast(${p.event} as text)`,
          status: sql`v.status`,
          sequence: sql`1`,
          now: sql`cast(${p.now} as bigint)`,
        })}
        from (values ${sql.join(rows)}) as v (id, webhook_id, status)
        where not exists (select 1 from seq where seq.last_sequence <> 1)
        returning status
      )
      select webhook_id, last_sequence, (select count(*) from inserted) as inserted
        ${wakeIfDue(wakeCall, 'inserted', 'woken')}
      from seq`;
    return { compile: () => query.compile(db) };
  });
  statements.set(key, found);
  return found;
}

/**
 * Queues a resource's first deliveries if it is its first event for every one of these
 * webhooks (`deliveries` sorted by webhook id, at most FIRST_DELIVERIES_MAX). Answers each
 * webhook's sequence, and whether the deliveries were inserted; with `wakeCall`, the insert
 * wakes the dispatchers if any delivery is due.
 */
export async function queueFirstDeliveries(
  trx: Kysely<Database>,
  e: FirstEvent,
  deliveries: readonly FirstDelivery[],
  wakeCall: string | undefined,
): Promise<{ inserted: boolean; sequences: Map<string, number> }> {
  const params: Record<string, unknown> = {
    rt: e.resourceType,
    rid: e.resourceId,
    facility: e.facilityId,
    eventId: e.eventId,
    event: e.event,
    now: e.now,
  };
  deliveries.forEach((d, i) => {
    params[`w${i}`] = d.webhookId;
    params[`id${i}`] = d.id;
    params[`s${i}`] = d.status;
  });
  const rows = await statement(deliveries.length, wakeCall).execute(trx, params);
  return {
    inserted: rows.length > 0 && Number(rows[0]!.inserted) > 0,
    sequences: new Map(rows.map((r) => [r.webhook_id, Number(r.last_sequence)])),
  };
}
