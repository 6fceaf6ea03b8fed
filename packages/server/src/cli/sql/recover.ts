// Windows of failed deliveries for `tablehooks recover`: each window holds at most `size`
// deliveries, so a recover of many thousands is many short transactions with progress.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

function failed(db: Kysely<Database>, webhookId: string, since: number, until: number | undefined) {
  let q = db
    .selectFrom('deliveries')
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'failed')
    .where('created_at', '>=', since);
  if (until !== undefined) q = q.where('created_at', '<=', until);
  return q;
}

export async function countFailed(
  db: Kysely<Database>,
  webhookId: string,
  since: number,
  until: number | undefined,
): Promise<number> {
  const row = await failed(db, webhookId, since, until)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The creation time of the size-th failed delivery from `since` on: a window's end. */
export async function windowEnd(
  db: Kysely<Database>,
  webhookId: string,
  since: number,
  until: number | undefined,
  size: number,
): Promise<number | undefined> {
  const row = await failed(db, webhookId, since, until)
    .select('created_at')
    .orderBy('created_at')
    .limit(1)
    .offset(size - 1)
    .executeTakeFirst();
  return row?.created_at;
}

/** Webhooks to recover, optionally of one facility. */
export function webhooksOf(db: Kysely<Database>, facilityId: string | undefined) {
  let q = db
    .selectFrom('webhooks')
    .select(['id', 'facility_id'])
    .orderBy('facility_id')
    .orderBy('id');
  if (facilityId) q = q.where('facility_id', '=', facilityId);
  return q.execute();
}
