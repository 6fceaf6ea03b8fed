// A resource's first event with its deliveries, as one statement (PostgreSQL): a creation
// through the API (the row, its event) or an operator's ingested `*_created` event. The
// general way (outbox.ts, queue/sql/enqueue.ts) is a transaction of five or six round trips:
// begin, the row, the event with its subscribers, the sequences, the deliveries with the
// wake-up, commit. A new resource's first event needs none of the queue's decisions
// (nothing to coalesce, supersede or wait behind), so all of it can be one statement, which
// commits on its own: one round trip, atomic as the transaction was.
//
// It is a resource's first event only if no line for it exists yet: an API row's id is new,
// but an operator may have ingested events for that id before, and an ingested creation
// may repeat one. Then the statement raises (tablehooks_abort, migration 2026-12-03T10),
// everything in it rolls back, and the caller takes the general way, which queues it in line.
//
// Lock order as on the general way: the resource_sequences rows (taken in webhook id order,
// collate "C"), then the deliveries, which read them; the foreign keys' checks of the
// facility and the webhooks run at the end of the statement.
import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Random } from '../clock.js';
import { type HotQuery, hotQuery } from '../db/hot-query.js';
import { type ColumnTypes, insertInFacilityQuery } from '../db/insert-in-facility.js';
import type { Database, ResourceType } from '../db/schema.js';
import {
  insertFirstDeliveries,
  upsertSequences,
  wakeIfDue,
} from '../queue/sql/first-deliveries.js';
import { EVENT_COLUMNS } from './event-columns.js';
import type { EventName } from './event-names.js';

type CreatedTable = 'bookings' | 'productorders';
type NewRow<T extends CreatedTable> = Omit<Selectable<Database[T]>, 'id'>;

export interface OneStatementCreation<T extends CreatedTable> {
  table: T;
  columns: ColumnTypes<T>;
  row: NewRow<T>;
  resourceType: ResourceType;
  event: EventName;
  now: number;
}

/** An operator's `*_created` event for a resource that lives in its own system. */
export interface OneStatementIngest {
  facilityId: string;
  resourceType: ResourceType;
  resourceId: number;
  event: EventName;
  now: number;
}

/** The error tablehooks_abort raises: this statement was not for this case. */
const ABORTED = 'TH001';

/** What a statement did: its answer and how many deliveries it made due now. */
export interface Done<T> {
  value: T;
  due: number;
}

/** What comes back besides the row or event id: how many deliveries are due now. */
interface Due {
  th_due: number | string;
  th_woken?: unknown;
}

/**
 * The statement's start: CTEs ending in `ev` (the event: id, resource_id), then what the
 * answer selects and from where (no row: no such facility).
 */
interface Head {
  ctes: RawBuilder<unknown>;
  answer: RawBuilder<unknown>;
  from: RawBuilder<unknown>;
}

const statements = new Map<string, HotQuery<Record<string, unknown>, unknown>>();

function statement<R>(
  key: string,
  head: (db: Kysely<Database>, p: Record<string, unknown>) => Head,
  wakeCall: string | undefined,
): HotQuery<Record<string, unknown>, R & Due> {
  const cacheKey = `${key} ${wakeCall ?? ''}`;
  let found = statements.get(cacheKey);
  if (!found) {
    found = hotQuery((db, p: Record<string, unknown>) => {
      const { ctes, answer, from } = head(db, p);
      // Each delivery's id: "msg_" and 12 bytes, as newId() makes them, taken from
      // sha256(seed ‖ n) — one random seed per statement, unguessable as the seed is.
      const id = sql`'msg_' || translate(encode(substring(sha256(
        decode(cast(${p.th_seed} as text), 'base64') || int4send(cast(s.n as integer)))
        from 1 for 12), 'base64'), '+/', '-_')`;
      const query = sql`
        with ${ctes},
        s as (
          select w.id as webhook_id, f.plan,
            row_number() over (order by w.id collate "C") as n
          from webhook_events we
          join webhooks w on w.id = we.webhook_id
          join facilities f on f.id = w.facility_id
          where we.facility_id = cast(${p.th_facility} as text)
            and we.event = cast(${p.th_event} as text) and w.enabled = 1
            and exists (select 1 from ev)
        ),
        seq as (${upsertSequences(sql`select s.webhook_id, cast(${p.th_type} as text), ev.resource_id, 1
          from s cross join ev
          order by s.webhook_id collate "C"`)}),
        d as (
          ${insertFirstDeliveries({
            id,
            webhookId: sql`s.webhook_id`,
            facilityId: sql`cast(${p.th_facility} as text)`,
            eventId: sql`ev.id`,
            resourceType: sql`cast(${p.th_type} as text)`,
            resourceId: sql`ev.resource_id`,
            event: sql`cast(${p.th_event} as text)`,
            status: sql`case when s.plan = 'premium' then 'pending' else 'paused' end`,
            // In line behind earlier deliveries: not this statement's case (see above).
            sequence: sql`case when seq.last_sequence = 1 then 1
              else tablehooks_abort('the resource is in line already') end`,
            now: sql`cast(${p.th_now} as bigint)`,
          })}
          from s join seq on seq.webhook_id = s.webhook_id cross join ev
          returning status
        )
        select ${answer}, (select count(*) from d where status = 'pending') as th_due
          ${wakeIfDue(wakeCall, 'd', 'th_woken')}
        from ${from}`;
      return { compile: () => query.compile(db) };
    });
    statements.set(cacheKey, found);
  }
  return found as HotQuery<Record<string, unknown>, R & Due>;
}

/** Runs it; undefined when it aborted (the resource is in line), [] when no facility. */
async function run<R>(
  query: HotQuery<Record<string, unknown>, R & Due>,
  db: Kysely<Database>,
  random: Random,
  params: Record<string, unknown>,
): Promise<(R & Due)[] | undefined> {
  try {
    return await query.execute(db, { ...params, th_seed: random.bytes(12).toString('base64') });
  } catch (err) {
    if ((err as { code?: unknown }).code === ABORTED) return undefined;
    throw err;
  }
}

/**
 * Creates the row with its event and deliveries in one statement. Answers the row and how
 * many deliveries became due (the wake-up went out with them, as NOTIFY at commit), null
 * when there is no such facility, or 'in line' when the general way must do it.
 */
export async function createInOneStatement<T extends CreatedTable>(
  db: Kysely<Database>,
  random: Random,
  wakeCall: string | undefined,
  c: OneStatementCreation<T>,
): Promise<Done<Selectable<Database[T]>> | null | 'in line'> {
  const query = statement<Selectable<Database[T]>>(
    c.table,
    (qc, p) => ({
      ctes: sql`r as (${insertInFacilityQuery(qc, c.table, c.columns, p as NewRow<T>).returningAll()}),
        ev as (
          insert into events (facility_id, resource_type, resource_id, event, source, created_at)
          select r.facility_id, cast(${p.th_type} as text), r.id, cast(${p.th_event} as text),
            'api', cast(${p.th_now} as bigint)
          from r
          returning id, resource_id
        )`,
      answer: sql`r.*`,
      from: sql`r`,
    }),
    wakeCall,
  );
  const rows = await run(query, db, random, {
    ...c.row,
    th_type: c.resourceType,
    th_event: c.event,
    th_facility: (c.row as { facility_id: string }).facility_id,
    th_now: c.now,
  });
  if (!rows) return 'in line';
  const answer = rows[0];
  if (!answer) return null;
  const { th_due, th_woken: _, ...row } = answer;
  return { value: row as unknown as Selectable<Database[T]>, due: Number(th_due) };
}

/** The same for an ingested creation: answers the event's id and how many are due. */
export async function ingestInOneStatement(
  db: Kysely<Database>,
  random: Random,
  wakeCall: string | undefined,
  e: OneStatementIngest,
): Promise<Done<{ eventId: number }> | null | 'in line'> {
  const query = statement<{ th_event_id: number }>(
    'ingest',
    (qc, p) => ({
      ctes: sql`ev as (${insertInFacilityQuery(qc, 'events', EVENT_COLUMNS, {
        facility_id: p.th_facility as string,
        resource_type: p.th_type as ResourceType,
        resource_id: p.th_id as number,
        event: p.th_event as string,
        source: 'ingest',
        created_at: p.th_now as number,
      }).returning(['id', 'resource_id'])})`,
      answer: sql`ev.id as th_event_id`,
      from: sql`ev`,
    }),
    wakeCall,
  );
  const rows = await run(query, db, random, {
    th_type: e.resourceType,
    th_id: e.resourceId,
    th_event: e.event,
    th_facility: e.facilityId,
    th_now: e.now,
  });
  if (!rows) return 'in line';
  const answer = rows[0];
  if (!answer) return null;
  return { value: { eventId: Number(answer.th_event_id) }, due: Number(answer.th_due) };
}
