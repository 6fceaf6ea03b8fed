// What only product orders have: their columns and their list (find, update and delete are
// core/resource.repository.ts). Every query is scoped by facility.
import type { Kysely, Selectable } from 'kysely';
import { pageOf } from '../core/resource.repository.js';
import { type ColumnTypes, insertInFacility } from '../db/insert-in-facility.js';
import type { Database, ProductOrdersTable } from '../db/schema.js';

export type OrderRow = Selectable<ProductOrdersTable>;

export interface OrderFilter {
  statuses?: readonly string[] | undefined;
  type?: string | undefined;
}

export type NewOrder = Omit<OrderRow, 'id'>;

/** Its columns and their types, for the statements that insert it. */
export const ORDER_COLUMNS: ColumnTypes<'productorders'> = {
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
};
const insertIntoFacility = insertInFacility('productorders', ORDER_COLUMNS);

/** The new order; undefined when the facility does not exist (checked in the same statement). */
export async function insertOrder(
  db: Kysely<Database>,
  row: NewOrder,
): Promise<OrderRow | undefined> {
  const [created] = await insertIntoFacility.execute(db, row);
  return created;
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
  return pageOf(
    // Newest first: a kitchen screen wants what just came in.
    q.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  );
}
