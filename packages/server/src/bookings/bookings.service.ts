import type { Random } from '../clock.js';
import { epochOf } from '../core/fields.js';
import { iso } from '../core/iso.js';
import type { ChangesOf } from '../core/resource.repository.js';
import {
  type ResourceDeps,
  type ResourceKind,
  resourceMechanics,
} from '../core/resource.service.js';
import { checkInitial, type StatusMachine } from '../core/status-machine.js';
import type { InTransaction } from '../idempotency/in-transaction.js';
import {
  BOOKING_COLUMNS,
  type BookingRow,
  insertBooking,
  listBookings,
} from './bookings.repository.js';
import type {
  BookingListInput,
  BookingOut,
  BookingStatus,
  CreateBookingInput,
  PatchBookingInput,
} from './bookings.schemas.js';
import { newRefNum } from './ref-num.js';

// A cancelled booking is gone for the guest (and for webhooks: it was announced as deleted),
// so it can't come back; a no-show may still turn up late and be seated.
export const bookingStatuses: StatusMachine<BookingStatus> = {
  what: 'booking',
  initial: ['requested', 'confirmed', 'seated'],
  next: {
    requested: ['confirmed', 'seated', 'cancelled'],
    confirmed: ['seated', 'no_show', 'cancelled'],
    seated: ['completed'],
    completed: [],
    no_show: ['seated'],
    cancelled: [],
  },
  frozen: ['cancelled'],
};

export function bookingOut(row: BookingRow): BookingOut {
  return {
    id: row.id,
    facility_id: row.facility_id,
    num: row.num,
    date: row.date,
    duration: row.duration,
    status: row.status as BookingStatus,
    name: row.name,
    email: row.email,
    phone: row.phone,
    comment: row.comment,
    source: row.source,
    table: row.table_label,
    area: row.area,
    ref_num: row.ref_num ?? '',
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/** The columns a PATCH touches; `undefined` leaves a column alone, `null` clears it. */
function changesOf(patch: PatchBookingInput): ChangesOf<'bookings'> {
  const { table, date, ...same } = patch;
  const changes: ChangesOf<'bookings'> = { ...same };
  if (table !== undefined) changes.table_label = table;
  if (date !== undefined) Object.assign(changes, { date, start_at: epochOf(date, 'date') });
  return changes;
}

const bookingKind: ResourceKind<'bookings', BookingStatus, BookingOut> = {
  table: 'bookings',
  type: 'booking',
  statuses: bookingStatuses,
  events: { created: 'booking_created', updated: 'booking_updated', deleted: 'booking_deleted' },
  conflict: 'the booking changed meanwhile; fetch it again',
  out: bookingOut,
  insert: insertBooking,
  columns: BOOKING_COLUMNS,
};

export function bookingsService(deps: ResourceDeps & { random: Random }) {
  const mechanics = resourceMechanics(bookingKind, deps);
  return {
    list(facilityId: string, query: BookingListInput) {
      // The dates are read once the facility is known to exist: a missing one is a 404 first.
      return mechanics.list(facilityId, query, (db, limit, offset) => {
        const { date_from, date_to } = query;
        const fromMs = date_from === undefined ? undefined : epochOf(date_from, 'date_from');
        const toMs = date_to === undefined ? undefined : epochOf(date_to, 'date_to');
        const filter = { fromMs, toMs, statuses: query.status };
        return listBookings(db, facilityId, filter, limit, offset);
      });
    },

    get: mechanics.get,

    /** `run` is the transaction (with an Idempotency-Key, one that also claims the key). */
    create(facilityId: string, input: CreateBookingInput, run?: InTransaction) {
      const status = input.status ?? 'confirmed';
      checkInitial(bookingStatuses, status);
      const startAt = epochOf(input.date, 'date');
      const build = (now: number) => ({
        facility_id: facilityId,
        num: input.num,
        date: input.date,
        start_at: startAt,
        duration: input.duration ?? 120,
        status,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        comment: input.comment ?? null,
        source: input.source ?? null,
        table_label: input.table ?? null,
        area: input.area ?? null,
        ref_num: input.ref_num ?? newRefNum(deps.random),
        created_at: now,
        updated_at: now,
      });
      return mechanics.create(facilityId, build, run);
    },

    /** A move to `cancelled` is announced as booking_deleted: for the receiver it is gone. */
    update(facilityId: string, id: number, patch: PatchBookingInput): Promise<BookingOut> {
      // Worked out first: a date that is no real moment is a 400 before anything is looked up.
      const changes = changesOf(patch);
      return mechanics.update(facilityId, id, patch.status, () => changes);
    },

    remove: mechanics.remove,
  };
}
