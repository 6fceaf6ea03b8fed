// The predicates on (webhook, resource type, resource id) behind per-resource order,
// coalescing and superseding (docs/delivery-guarantees.md). A resource's deliveries to one
// webhook form a line: at most one of them is pending or paused (its head), later ones wait
// `blocked` until the head is final, then the next in sequence is promoted.
//
// Every decision about a resource's line is made while holding its resource_sequences row:
// the enqueue's upsert takes it, and the completion of a batch locks the rows of the
// resources it finishes before it touches their deliveries (always in key order, so two
// transactions never wait on each other in a circle). Without that, a delivery blocked
// behind a head that another process was finishing at the same instant would wait forever.
import { type Kysely, sql } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import { type HotQuery, hotQuery } from '../../db/hot-query.js';
import type { Database, DeliveryStatus, ResourceType } from '../../db/schema.js';
import { Params, rowsTable } from './batch-sql.js';

export interface ResourceKey {
  webhookId: string;
  resourceType: ResourceType;
  resourceId: number;
}

/** Not final: a delivery in one of these still has to go out (or is going out). */
export const OPEN: readonly DeliveryStatus[] = ['pending', 'blocked', 'paused'];
/** Done with: nothing more will be sent unless somebody resends it. */
export const FINAL: readonly DeliveryStatus[] = ['succeeded', 'failed', 'superseded', 'expired'];

const upserts = new Map<number, HotQuery<Record<string, unknown>, SequenceRow>>();

interface SequenceRow {
  webhook_id: string;
  last_sequence: number;
}

/**
 * The next sequence of one resource for each webhook (1 for its first event), taking the
 * resource's rows as a lock until the transaction ends. `webhookIds` must be sorted.
 */
export async function nextSequences(
  trx: Kysely<Database>,
  webhookIds: readonly string[],
  resourceType: ResourceType,
  resourceId: number,
): Promise<Map<string, number>> {
  const n = webhookIds.length;
  let upsert = upserts.get(n);
  if (!upsert) {
    upsert = hotQuery((db, p: Record<string, unknown>) =>
      db
        .insertInto('resource_sequences')
        .values(
          Array.from({ length: n }, (_, i) => ({
            webhook_id: p[`w${i}`] as string,
            resource_type: p.rt as ResourceType,
            resource_id: p.rid as number,
            last_sequence: 1,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['webhook_id', 'resource_type', 'resource_id'])
            .doUpdateSet({ last_sequence: sql`resource_sequences.last_sequence + 1` }),
        )
        .returning(['webhook_id', 'last_sequence']),
    );
    upserts.set(n, upsert);
  }
  const params: Record<string, unknown> = { rt: resourceType, rid: resourceId };
  for (let i = 0; i < n; i++) params[`w${i}`] = webhookIds[i];
  const rows = await upsert.execute(trx, params);
  return new Map(rows.map((r) => [r.webhook_id, Number(r.last_sequence)]));
}

export interface OpenDelivery {
  id: string;
  webhook_id: string;
  event: string;
  status: DeliveryStatus;
  leased_by: string | null;
  sequence: number;
}

/** A resource's open deliveries to these webhooks, oldest first (tests are not in any line). */
export function openDeliveries(
  trx: Kysely<Database>,
  webhookIds: readonly string[],
  resourceType: ResourceType,
  resourceId: number,
): Promise<OpenDelivery[]> {
  return trx
    .selectFrom('deliveries')
    .select(['id', 'webhook_id', 'event', 'status', 'leased_by', 'sequence'])
    .where('webhook_id', 'in', webhookIds)
    .where('resource_id', '=', resourceId)
    .where('resource_type', '=', resourceType)
    .where('is_test', '=', 0)
    .where('status', 'in', OPEN)
    .orderBy('webhook_id')
    .orderBy('sequence')
    .execute();
}

/** Not being sent right now: it may still be changed (coalesced, superseded). */
export const waiting = (d: OpenDelivery): boolean => d.leased_by === null;

function keysList(p: Params, keys: readonly ResourceKey[]): string {
  return rowsTable(
    p,
    keys.map((k) => [k.webhookId, k.resourceType, k.resourceId]),
    ['text', 'text', 'bigint'],
  );
}

/** Sorted and without duplicates: the order every transaction takes these locks in. */
export function sortedKeys(keys: Iterable<ResourceKey>): ResourceKey[] {
  const byText = new Map<string, ResourceKey>();
  for (const k of keys) byText.set(`${k.webhookId}\u0000${k.resourceType}\u0000${k.resourceId}`, k);
  return [...byText.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
}

/**
 * Locks these resources' lines (PostgreSQL; SQLite has one writer) before their deliveries
 * change state. `keys` must come from sortedKeys().
 */
export async function lockResources(
  trx: Kysely<Database>,
  profile: DialectProfile,
  keys: readonly ResourceKey[],
): Promise<void> {
  if (keys.length === 0 || !profile.rowLocks) return;
  const p = new Params(profile.name);
  await trx.executeQuery(
    p.query(`
    with k (webhook_id, resource_type, resource_id) as (${keysList(p, keys)})
    select 1 from resource_sequences s
    join k on s.webhook_id = k.webhook_id and s.resource_type = k.resource_type
          and s.resource_id = k.resource_id
    order by s.webhook_id collate "C", s.resource_type collate "C", s.resource_id
    for update of s`),
  );
}

/**
 * For each resource whose line has no head any more, the next blocked delivery (lowest
 * sequence) moves up: due now, or held (`paused`) if its webhook is disabled or its facility
 * is not on the premium plan — then enabling or upgrading resumes it like any held one.
 * Answers how many became due.
 */
export async function promoteNext(
  trx: Kysely<Database>,
  profile: DialectProfile,
  keys: readonly ResourceKey[],
  now: number,
): Promise<number> {
  if (keys.length === 0) return 0;
  const p = new Params(profile.name);
  const list = keysList(p, keys);
  const at = p.add(now);
  const result = await trx.executeQuery<{ status: string }>(
    p.query(`
    with k (webhook_id, resource_type, resource_id) as (${list})
    update deliveries
    set status = case when exists (
          select 1 from webhooks w join facilities f on f.id = w.facility_id
          where w.id = deliveries.webhook_id and w.enabled = 1 and f.plan = 'premium'
        ) then 'pending' else 'paused' end,
        next_attempt_at = ${at}
    where id in (
      select (select b.id from deliveries b
              where b.webhook_id = k.webhook_id and b.resource_id = k.resource_id
                and b.resource_type = k.resource_type and b.status = 'blocked'
              order by b.sequence limit 1)
      from k
      where not exists (
        select 1 from deliveries o
        where o.webhook_id = k.webhook_id and o.resource_id = k.resource_id
          and o.resource_type = k.resource_type and o.status in ('pending', 'paused')
          and o.is_test = 0))
    returning status`),
  );
  let due = 0;
  for (const row of result.rows) if (row.status === 'pending') due++;
  return due;
}

/** Frees a webhook's blocked deliveries (its ordering was turned off): all due now. */
export async function unblockWebhook(
  trx: Kysely<Database>,
  webhookId: string,
  now: number,
): Promise<number> {
  const result = await trx
    .updateTable('deliveries')
    .set({ status: 'pending', next_attempt_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'blocked')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
