// Every query is scoped by facility: an id alone never reaches a row.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { insertInFacility } from '../db/insert-in-facility.js';
import type { Database, ProductOrdersTable } from '../db/schema.js';

export type OrderRow = Selectable<ProductOrdersTable>;
export type OrderChanges = Omit<
  Updateable<ProductOrdersTable>,
  'id' | 'facility_id' | 'created_at'
>;

export interface OrderFilter {
  statuses?: readonly string[] | undefined;
  type?: string | undefined;
}

export function findOrder(
  db: Kysely<Database>,
  facilityId: string,
  id: number,
): Promise<OrderRow | undefined> {
  return db
    .selectFrom('productorders')
    .selectAll()
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export type NewOrder = Omit<OrderRow, 'id'>;

const insertIntoFacility = insertInFacility('productorders', {
  facility_id: 'text',
  type: 'text',
  items: 'text',
  total: 'bigint',
  currency: 'text',
  status: 'text',
  requested_time: 'text',
  name: 'text',
  email: 'text',
  phone: 'text',
  address: 'text',
  comment: 'text',
  created_at: 'bigint',
  updated_at: 'bigint',
});

/** The new order; undefined when the facility does not exist (checked in the same statement). */
export async function insertOrder(
  db: Kysely<Database>,
  row: NewOrder,
): Promise<OrderRow | undefined> {
  const [created] = await insertIntoFacility.execute(db, row);
  return created;
}

/** Guarded by the old status, like updateBooking: a lost race answers undefined. */
export function updateOrder(
  db: Kysely<Database>,
  facilityId: string,
  id: number,
  expectedStatus: string,
  changes: OrderChanges,
): Promise<OrderRow | undefined> {
  return db
    .updateTable('productorders')
    .set(changes)
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .where('status', '=', expectedStatus)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteOrder(
  db: Kysely<Database>,
  facilityId: string,
  id: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('productorders')
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function listOrders(
  db: Kysely<Database>,
  facilityId: string,
  filter: OrderFilter,
  limit: number,
  offset: number,
): Promise<{ rows: OrderRow[]; total: number }> {
  let q = db.selectFrom('productorders').where('facility_id', '=', facilityId);
  if (filter.statuses?.length) q = q.where('status', 'in', filter.statuses);
  if (filter.type !== undefined) q = q.where('type', '=', filter.type as OrderRow['type']);
  const [rows, count] = await Promise.all([
    // Newest first: a kitchen screen wants what just came in.
    q.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
