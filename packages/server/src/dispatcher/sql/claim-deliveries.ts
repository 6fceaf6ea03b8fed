// Claim due deliveries for this dispatcher, taking at most `perWebhook` of any one webhook
// so that a webhook with a huge backlog or a hanging receiver can't fill the batch, and
// skipping webhooks that are already at their limit here. The claim is a lease: it moves
// next_attempt_at to the lease's end, so a dispatcher that dies leaves the work due again.
import { type Kysely, sql } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';

export interface Claimed {
  id: string;
  webhook_id: string;
  facility_id: string;
  resource_id: number;
  event: string;
  tries: number;
  attempt_count: number;
  is_test: number;
  created_at: number;
}

export interface ClaimOptions {
  now: number;
  leaseUntil: number;
  dispatcherId: string;
  limit: number;
  perWebhook: number;
  excludeWebhooks: readonly string[];
}

export async function claimDeliveries(
  db: Kysely<Database>,
  profile: DialectProfile,
  o: ClaimOptions,
): Promise<Claimed[]> {
  // Look a little further than we take, so one busy webhook can't hide the others.
  const scan = o.limit * 4;
  const exclude =
    o.excludeWebhooks.length > 0
      ? sql`and webhook_id not in (${sql.join(o.excludeWebhooks.map((w) => sql`${w}`))})`
      : sql``;
  const result = await sql<Claimed>`
    update deliveries
    set next_attempt_at = ${o.leaseUntil}, leased_by = ${o.dispatcherId}
    where status = 'pending' and id in (
      select id from (
        select id, next_attempt_at,
               row_number() over (partition by webhook_id order by next_attempt_at, id) as rn
        from (
          select id, webhook_id, next_attempt_at from deliveries
          where status = 'pending' and next_attempt_at <= ${o.now} ${exclude}
          order by next_attempt_at
          limit ${scan}
          ${sql.raw(profile.lockClause)}
        ) due
      ) ranked
      where rn <= ${o.perWebhook}
      order by next_attempt_at
      limit ${o.limit}
    )
    returning id, webhook_id, facility_id, resource_id, event, tries, attempt_count, is_test, created_at
  `.execute(db);
  return result.rows;
}
