// Commands take globally unique ids (wh_…, msg_…, key_…) where the API takes them under a
// facility: these find the facility, so the services can be called as the routes call them.
import type { Kysely } from 'kysely';
import { type Database, DELIVERY_STATUSES } from '../../db/schema.js';
import { CliError, EXIT } from '../errors.js';

const missing = (what: string, id: string) =>
  new CliError(`${what} ${id} not found`, EXIT.notFound);

export async function webhookRef(db: Kysely<Database>, id: string) {
  const row = await db
    .selectFrom('webhooks')
    .select(['id', 'facility_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw missing('webhook', id);
  return row;
}

export async function deliveryRef(db: Kysely<Database>, id: string) {
  const row = await db
    .selectFrom('deliveries')
    .select(['id', 'webhook_id', 'facility_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw missing('delivery', id);
  return row;
}

export async function apiKeyRef(db: Kysely<Database>, id: string) {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'facility_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw missing('API key', id);
  return row;
}

export async function hasFacilities(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('facilities').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** Deliveries of one webhook by status, on the (webhook_id, status) index. */
export async function deliveryCounts(db: Kysely<Database>, webhookId: string) {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .where('webhook_id', '=', webhookId)
    .groupBy('status')
    .execute();
  const counts: Record<string, number> = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0]));
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
