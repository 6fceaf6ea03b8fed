// The statements bookings and product orders share: find, status-guarded update and delete,
// every one scoped by facility (an id alone never reaches a row), and a page with its count.
// What differs (the insert's columns, the list's filters and order) stays in each resource's
// own repository.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/schema.js';

export type ResourceTable = 'bookings' | 'productorders';
/** A row of either table; what the mechanics read of it is named, since both have it. */
export type RowOf<T extends ResourceTable> = Selectable<Database[T]> & {
  id: number;
  facility_id: string;
  status: string;
};
export type ChangesOf<T extends ResourceTable> = Omit<
  Updateable<Database[T]>,
  'id' | 'facility_id' | 'created_at'
>;

// Kysely can't type a statement over a union of table names, so these are typed against one of
// them: they only touch the columns both have (id, facility_id, status), and the row is cast
// back to the table's own.
const one = (table: ResourceTable) => table as 'bookings';

export function findIn<T extends ResourceTable>(
  db: Kysely<Database>,
  table: T,
  facilityId: string,
  id: number,
): Promise<RowOf<T> | undefined> {
  return db
    .selectFrom(one(table))
    .selectAll()
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .executeTakeFirst() as Promise<RowOf<T> | undefined>;
}

/**
 * Applies the changes only if the status is still `expectedStatus`: two concurrent PATCHes
 * can't both pass the transition check against the same old status (no row lock needed,
 * so the same statement works on SQLite and PostgreSQL). Undefined means someone was first.
 */
export function updateIfStatus<T extends ResourceTable>(
  db: Kysely<Database>,
  table: T,
  where: { facilityId: string; id: number; expectedStatus: string },
  changes: ChangesOf<T>,
): Promise<RowOf<T> | undefined> {
  return db
    .updateTable(one(table))
    .set(changes as ChangesOf<'bookings'>)
    .where('facility_id', '=', where.facilityId)
    .where('id', '=', where.id)
    .where('status', '=', where.expectedStatus)
    .returningAll()
    .executeTakeFirst() as Promise<RowOf<T> | undefined>;
}

export async function deleteIn(
  db: Kysely<Database>,
  table: ResourceTable,
  facilityId: string,
  id: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom(one(table))
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** One page of rows and the count of all that match, run side by side. */
export async function pageOf<R>(
  rows: Promise<R[]>,
  count: Promise<{ n: number | string | bigint }>,
): Promise<{ rows: R[]; total: number }> {
  const [page, counted] = await Promise.all([rows, count]);
  return { rows: page, total: Number(counted.n) };
}
