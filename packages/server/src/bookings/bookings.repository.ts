// Every query is scoped by facility: an id alone never reaches a row.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { insertInFacility } from '../db/insert-in-facility.js';
import type { BookingsTable, Database } from '../db/schema.js';

export type BookingRow = Selectable<BookingsTable>;
export type BookingChanges = Omit<Updateable<BookingsTable>, 'id' | 'facility_id' | 'created_at'>;

export interface BookingFilter {
  fromMs?: number | undefined;
  toMs?: number | undefined;
  statuses?: readonly string[] | undefined;
}

export function findBooking(
  db: Kysely<Database>,
  facilityId: string,
  id: number,
): Promise<BookingRow | undefined> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export type NewBooking = Omit<BookingRow, 'id'>;

const insertIntoFacility = insertInFacility('bookings', {
  facility_id: 'text',
  num: 'integer',
  date: 'text',
  start_at: 'bigint',
  duration: 'integer',
  status: 'text',
  name: 'text',
  email: 'text',
  phone: 'text',
  comment: 'text',
  source: 'text',
  table_label: 'text',
  area: 'text',
  ref_num: 'text',
  created_at: 'bigint',
  updated_at: 'bigint',
});

/** The new booking; undefined when the facility does not exist (checked in the same statement). */
export async function insertBooking(
  db: Kysely<Database>,
  row: NewBooking,
): Promise<BookingRow | undefined> {
  const [created] = await insertIntoFacility.execute(db, row);
  return created;
}

/**
 * Applies the changes only if the status is still `expectedStatus`: two concurrent PATCHes
 * can't both pass the transition check against the same old status (no row lock needed,
 * so the same statement works on SQLite and PostgreSQL). Undefined means someone was first.
 */
export function updateBooking(
  db: Kysely<Database>,
  facilityId: string,
  id: number,
  expectedStatus: string,
  changes: BookingChanges,
): Promise<BookingRow | undefined> {
  return db
    .updateTable('bookings')
    .set(changes)
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .where('status', '=', expectedStatus)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteBooking(
  db: Kysely<Database>,
  facilityId: string,
  id: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('bookings')
    .where('facility_id', '=', facilityId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function listBookings(
  db: Kysely<Database>,
  facilityId: string,
  filter: BookingFilter,
  limit: number,
  offset: number,
): Promise<{ rows: BookingRow[]; total: number }> {
  let q = db.selectFrom('bookings').where('facility_id', '=', facilityId);
  if (filter.fromMs !== undefined) q = q.where('start_at', '>=', filter.fromMs);
  if (filter.toMs !== undefined) q = q.where('start_at', '<', filter.toMs);
  if (filter.statuses?.length) q = q.where('status', 'in', filter.statuses);
  const [rows, count] = await Promise.all([
    // Start order is what a host stand reads; id breaks ties so pages never overlap.
    q.selectAll().orderBy('start_at').orderBy('id').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
