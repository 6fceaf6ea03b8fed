// Resend and recover: finished deliveries go back to the queue with a fresh retry cycle and
// the same id (the webhook-id header), but a new sequence — a receiver that drops triggers
// older than what it has seen must not drop the one it was explicitly sent again — and in
// line behind what is still open about the same resource. Set-based, in chunks: recovering an
// outage of thousands is a few statements per chunk of 500, so the locks it takes (the
// webhook's row, then each chunk's sequence rows, sorted) are held for a short transaction.
// (`tablehooks recover` commits a window at a time; the API's recover, one transaction.)
import { type Kysely, sql } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database, DeliveryStatus } from '../../db/schema.js';
import { Params, valuesList } from './batch-sql.js';
import { FINAL, OPEN } from './resource-order.js';

export type RequeueWhere = { id: string } | { since: number; until: number | undefined };

/** What may be sent again by hand: anything final. */
const RESENDABLE = FINAL;
/** What "recover" sends again: what never arrived, except what a delete made unnecessary. */
const RECOVERABLE: readonly DeliveryStatus[] = ['failed', 'expired'];
/** Deliveries per chunk: a few statements each, parameters well under either store's limit. */
const CHUNK = 500;

interface Candidate {
  id: string;
  resource_type: string;
  resource_id: number;
}

export async function requeue(
  trx: Kysely<Database>,
  profile: DialectProfile,
  webhookId: string,
  where: RequeueWhere,
  now: number,
): Promise<{ requeued: number; due: number }> {
  // The webhook's row first (the queue's lock order: see complete.ts).
  const webhook = profile.rowLocks
    ? (
        await sql<{ ordering: string }>`
          select ordering from webhooks where id = ${webhookId} for no key update`.execute(trx)
      ).rows[0]
    : await trx
        .selectFrom('webhooks')
        .select('ordering')
        .where('id', '=', webhookId)
        .executeTakeFirst();
  if (!webhook) return { requeued: 0, due: 0 };
  let q = trx
    .selectFrom('deliveries')
    .select(['id', 'resource_type', 'resource_id'])
    .where('webhook_id', '=', webhookId)
    .where('is_test', '=', 0);
  if ('id' in where) {
    q = q.where('id', '=', where.id).where('status', 'in', RESENDABLE);
  } else {
    q = q.where('status', 'in', RECOVERABLE).where('created_at', '>=', where.since);
    if (where.until !== undefined) q = q.where('created_at', '<=', where.until);
  }
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  const total = { requeued: 0, due: 0 };
  for (let i = 0; i < rows.length; i += CHUNK) {
    const done = await requeueChunk(
      trx,
      profile,
      webhookId,
      webhook.ordering,
      rows.slice(i, i + CHUNK),
      now,
    );
    total.requeued += done.requeued;
    total.due += done.due;
  }
  return total;
}

async function requeueChunk(
  trx: Kysely<Database>,
  profile: DialectProfile,
  webhookId: string,
  ordering: string,
  rows: Candidate[],
  now: number,
): Promise<{ requeued: number; due: number }> {
  // Per resource, how many of its deliveries go back (in creation order).
  const byKey = new Map<string, Candidate[]>();
  for (const r of rows) {
    const key = `${r.resource_type}\u0000${r.resource_id}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  // Code-point order, as every writer locks sequence rows.
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // One sorted upsert takes each resource's sequence row and moves it on by as many.
  const p = new Params(profile.name);
  const values = valuesList(
    p,
    keys.map((k) => {
      const list = byKey.get(k)!;
      return [webhookId, list[0]!.resource_type, list[0]!.resource_id, list.length];
    }),
    ['text', 'text', 'bigint', 'integer'],
  );
  const sequences = await trx.executeQuery<{
    resource_type: string;
    resource_id: number | string;
    last_sequence: number;
  }>(
    p.query(`
    insert into resource_sequences (webhook_id, resource_type, resource_id, last_sequence)
    values ${values}
    on conflict (webhook_id, resource_type, resource_id)
    do update set last_sequence = resource_sequences.last_sequence + excluded.last_sequence
    returning resource_type, resource_id, last_sequence`),
  );
  const last = new Map(
    sequences.rows.map((s) => [
      `${s.resource_type}\u0000${Number(s.resource_id)}`,
      s.last_sequence,
    ]),
  );
  // Which of these resources still have something open (their line's head, or a wait).
  const open = new Set<string>();
  if (ordering === 'per_resource') {
    const ids = rows.map((r) => r.resource_id);
    const found = await trx
      .selectFrom('deliveries')
      .select(['resource_type', 'resource_id'])
      .where('webhook_id', '=', webhookId)
      .where('resource_id', 'in', [...new Set(ids)])
      .where('is_test', '=', 0)
      .where('status', 'in', OPEN)
      .execute();
    for (const f of found) open.add(`${f.resource_type}\u0000${f.resource_id}`);
  }
  const updates: [string, string, number][] = [];
  for (const key of keys) {
    const list = byKey.get(key)!;
    const end = last.get(key)!;
    list.forEach((r, i) => {
      // In line: behind what is open, and each behind the one before it.
      const behind = ordering === 'per_resource' && (open.has(key) || i > 0);
      updates.push([r.id, behind ? 'blocked' : 'pending', end - list.length + 1 + i]);
    });
  }
  const u = new Params(profile.name);
  const list = valuesList(u, updates, ['text', 'text', 'integer']);
  const at = u.add(now);
  const result = await trx.executeQuery<{ status: string }>(
    u.query(`
    with v (id, status, sequence) as (values ${list})
    update deliveries
    set status = v.status, tries = 0, next_attempt_at = ${at}, leased_by = null,
        sequence = v.sequence, superseded_by = null, last_event_at = ${u.add(now)}
    from v
    where deliveries.id = v.id
      and deliveries.status in ('succeeded', 'failed', 'superseded', 'expired')
    returning deliveries.status`),
  );
  let dueNow = 0;
  for (const row of result.rows) if (row.status === 'pending') dueNow++;
  return { requeued: result.rows.length, due: dueNow };
}
