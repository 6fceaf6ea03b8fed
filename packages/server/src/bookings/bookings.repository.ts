// What only bookings have: their columns and their list (find, update and delete are
// core/resource.repository.ts). Every query is scoped by facility.
import type { Kysely, Selectable } from 'kysely';
import { pageOf } from '../core/resource.repository.js';
import { type ColumnTypes, insertInFacility } from '../db/insert-in-facility.js';
import type { BookingsTable, Database } from '../db/schema.js';

export type BookingRow = Selectable<BookingsTable>;

export interface BookingFilter {
  fromMs?: number | undefined;
  toMs?: number | undefined;
  statuses?: readonly string[] | undefined;
}

export type NewBooking = Omit<BookingRow, 'id'>;

/** Its columns and their types, for the statements that insert it. */
export const BOOKING_COLUMNS: ColumnTypes<'bookings'> = {
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
};
const insertIntoFacility = insertInFacility('bookings', BOOKING_COLUMNS);

/** The new booking; undefined when the facility does not exist (checked in the same statement). */
export async function insertBooking(
  db: Kysely<Database>,
  row: NewBooking,
): Promise<BookingRow | undefined> {
  const [created] = await insertIntoFacility.execute(db, row);
  return created;
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
  return pageOf(
    // Start order is what a host stand reads; id breaks ties so pages never overlap.
    q.selectAll().orderBy('start_at').orderBy('id').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  );
}
