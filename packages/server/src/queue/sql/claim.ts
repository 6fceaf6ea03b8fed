// Claim due deliveries for this dispatcher, taking at most `perWebhook` of any one webhook
// (`limitedTo` of a failing one) so that a webhook with a huge backlog or a hanging receiver
// can't fill the batch, and skipping webhooks whose queue here is deep enough. The claim is
// a lease: it moves next_attempt_at to the lease's end, so a dispatcher that dies leaves the
// work due again. That is also why it may commit lazily (DialectProfile.lazyCommit): a lease
// lost in a crash makes the work due again, just as the crash would.
import { type Kysely, sql } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';
import type { Claimed } from '../types.js';
import { lazily } from './lazy-commit.js';

export interface ClaimOptions {
  now: number;
  leaseUntil: number;
  dispatcherId: string;
  limit: number;
  perWebhook: number;
  excludeWebhooks: readonly string[];
  /** Webhooks that may take only `limitedTo` in this claim (e.g. their receiver is failing). */
  limitedWebhooks?: readonly string[];
  limitedTo?: number;
}

export async function claim(
  db: Kysely<Database>,
  profile: DialectProfile,
  o: ClaimOptions,
): Promise<Claimed[]> {
  // How far along the due index to look: as far as we may take, and at least enough rows
  // for a few webhooks' worth. A busy webhook can still hide others behind its backlog, but
  // only until it is at its limit: then it is excluded, and the next claim finds them.
  // (Looking 4× further cost ~4× the time for nothing whenever one webhook held the head.)
  const scan = Math.max(o.limit, o.perWebhook * 4);
  const exclude =
    o.excludeWebhooks.length > 0
      ? sql`and webhook_id not in (${sql.join(o.excludeWebhooks.map((w) => sql`${w}`))})`
      : sql``;
  const limited = o.limitedWebhooks ?? [];
  // PostgreSQL can't type a CASE of bare parameters against row_number()'s bigint: cast them.
  const cap =
    limited.length > 0
      ? sql`case when webhook_id in (${sql.join(limited.map((w) => sql`${w}`))})
             then cast(${o.limitedTo ?? o.perWebhook} as integer)
             else cast(${o.perWebhook} as integer) end`
      : sql`${o.perWebhook}`;
  // The deliveries to lease, with the time each was due: a release puts it back there.
  const chosen = sql<{ id: string; due_at: number }>`
    select id, next_attempt_at as due_at from (
      select id, webhook_id, next_attempt_at,
             row_number() over (partition by webhook_id order by next_attempt_at, id) as rn
      from (
        select id, webhook_id, next_attempt_at from deliveries
        where status = 'pending' and next_attempt_at <= ${o.now} ${exclude}
        order by next_attempt_at
        limit ${scan}
        ${sql.raw(profile.lockClause)}
      ) due
    ) ranked
    where rn <= ${cap}
    order by next_attempt_at
    limit ${o.limit}
  `;
  if (o.excludeWebhooks.length > 0 && !(await othersAreDue(db, o))) return [];
  if (profile.returningFromJoin) {
    // One statement: the lease, and the due times it replaced, from the rows it joined.
    const query = sql<Claimed>`
      update deliveries d
      set next_attempt_at = ${o.leaseUntil}, leased_by = ${o.dispatcherId}
      from (${chosen}) c
      where d.id = c.id and d.status = 'pending'
      returning d.id, d.webhook_id, d.facility_id, d.resource_type, d.resource_id, d.event,
                d.tries, d.attempt_count, d.is_test, d.created_at, d.sequence, d.last_event_at,
                c.due_at
    `;
    const { rows } = profile.lazyCommit.oneStatement
      ? await lazily(db, profile, (trx) => query.execute(trx))
      : await query.execute(db);
    return rows.sort(byDue);
  }
  // SQLite's RETURNING sees only the updated rows, after the update: the due times are read
  // first, in the same transaction (one writer at a time: nothing comes between the two).
  return lazily(db, profile, async (trx) => {
    const rows = (await chosen.execute(trx)).rows;
    if (rows.length === 0) return [];
    const dueAt = new Map<string, number>();
    for (const r of rows) dueAt.set(r.id, r.due_at);
    // json_each: one statement text whatever the count, so SQLite prepares it once.
    const leased = await sql<Omit<Claimed, 'due_at'>>`
      update deliveries
      set next_attempt_at = ${o.leaseUntil}, leased_by = ${o.dispatcherId}
      where status = 'pending' and id in (select value from json_each(${JSON.stringify([...dueAt.keys()])}))
      returning id, webhook_id, facility_id, resource_type, resource_id, event, tries,
                attempt_count, is_test, created_at, sequence, last_event_at
    `.execute(trx);
    const claimed = leased.rows as Claimed[];
    for (const d of claimed) d.due_at = dueAt.get(d.id)!;
    return claimed.sort(byDue);
  });
}

/** In the order they fell due (RETURNING keeps none): a lane sends them in this order. */
function byDue(a: Claimed, b: Claimed): number {
  return a.due_at - b.due_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * With webhooks excluded, the claim's walk along the due index steps over every due
 * delivery of theirs — a whole backlog when one busy webhook is at its limit — to find,
 * often, nothing. Asking each other webhook first is one probe of deliveries_webhook_status
 * per webhook, and none at all when every webhook with work is excluded.
 */
async function othersAreDue(db: Kysely<Database>, o: ClaimOptions): Promise<boolean> {
  const result = await sql<{ due: number }>`
    select 1 as due from webhooks w
    where w.id not in (${sql.join(o.excludeWebhooks.map((w) => sql`${w}`))})
      and exists (
        select 1 from deliveries d
        where d.webhook_id = w.id and d.status = 'pending' and d.next_attempt_at <= ${o.now}
      )
    limit 1
  `.execute(db);
  return result.rows.length > 0;
}
