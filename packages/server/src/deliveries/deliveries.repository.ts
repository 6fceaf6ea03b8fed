import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { AttemptsTable, Database, DeliveriesTable } from '../db/schema.js';

export type DeliveryRow = Selectable<DeliveriesTable>;
export type AttemptRow = Selectable<AttemptsTable>;

interface DeliveryFilter {
  status?: string | undefined;
  event?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

export interface DeliveryListFilter extends DeliveryFilter {
  webhookId: string;
}

/** The operator's view across webhooks (the CLI); the API lists one webhook's at a time. */
export interface AcrossFilter extends DeliveryFilter {
  facilityId?: string | undefined;
}

export function listDeliveries(
  db: Kysely<Database>,
  f: DeliveryListFilter,
  limit: number,
  offset: number,
) {
  return page(db.selectFrom('deliveries').where('webhook_id', '=', f.webhookId), f, limit, offset);
}

export function listDeliveriesAcross(
  db: Kysely<Database>,
  f: AcrossFilter,
  limit: number,
  offset: number,
) {
  let q = db.selectFrom('deliveries');
  if (f.facilityId) q = q.where('facility_id', '=', f.facilityId);
  return page(q, f, limit, offset);
}

/** Newest first, with the total for `meta.total_count`. */
async function page(
  base: SelectQueryBuilder<Database, 'deliveries', object>,
  f: DeliveryFilter,
  limit: number,
  offset: number,
) {
  let q = base;
  if (f.status) q = q.where('status', '=', f.status as DeliveriesTable['status']);
  if (f.event) q = q.where('event', '=', f.event);
  if (f.since !== undefined) q = q.where('created_at', '>=', f.since);
  if (f.until !== undefined) q = q.where('created_at', '<=', f.until);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export function findDelivery(db: Kysely<Database>, webhookId: string, id: string) {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
}

export function attemptsOf(db: Kysely<Database>, deliveryId: string) {
  return db
    .selectFrom('attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
}
