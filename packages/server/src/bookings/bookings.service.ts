import type { AppDeps } from '../app.js';
import { facilityMustExist, notFoundIn } from '../core/facility-scope.js';
import { epochOf } from '../core/fields.js';
import { checkChange, checkInitial, type StatusMachine } from '../core/status-machine.js';
import { AppError, notFound } from '../errors.js';
import type { EventName } from '../events/event-names.js';
import { withEvents } from '../events/outbox.js';
import { iso, page } from '../http/schemas.js';
import { type InTransaction, outboxTransaction } from '../idempotency/in-transaction.js';
import {
  type BookingChanges,
  type BookingRow,
  deleteBooking,
  findBooking,
  insertBooking,
  listBookings,
  updateBooking,
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
function changesOf(patch: PatchBookingInput): BookingChanges {
  const { table, date, ...same } = patch;
  const changes: BookingChanges = { ...same };
  if (table !== undefined) changes.table_label = table;
  if (date !== undefined) Object.assign(changes, { date, start_at: epochOf(date, 'date') });
  return changes;
}

export function bookingsService(deps: AppDeps) {
  const { store, clock, random } = deps;
  const event = (facilityId: string, id: number, name: EventName) => ({
    facilityId,
    resourceType: 'booking' as const,
    resourceId: id,
    event: name,
    source: 'api' as const,
  });

  return {
    async list(facilityId: string, query: BookingListInput) {
      await facilityMustExist(store.db, facilityId);
      const { limit, offset } = page(query);
      const fromMs =
        query.date_from === undefined ? undefined : epochOf(query.date_from, 'date_from');
      const toMs = query.date_to === undefined ? undefined : epochOf(query.date_to, 'date_to');
      const filter = { fromMs, toMs, statuses: query.status };
      const { rows, total } = await listBookings(store.db, facilityId, filter, limit, offset);
      return {
        objects: rows.map(bookingOut),
        meta: { limit, offset, total_count: total },
      };
    },

    async get(facilityId: string, id: number): Promise<BookingOut> {
      const row = await findBooking(store.db, facilityId, id);
      if (!row) throw await notFoundIn(store.db, facilityId, 'booking');
      return bookingOut(row);
    },

    /** `run` is the transaction (with an Idempotency-Key, one that also claims the key). */
    async create(
      facilityId: string,
      input: CreateBookingInput,
      run: InTransaction = outboxTransaction(deps),
    ): Promise<BookingOut> {
      const status = input.status ?? 'confirmed';
      checkInitial(bookingStatuses, status);
      const startAt = epochOf(input.date, 'date');
      const now = clock.now();
      return run(async (trx, emit) => {
        const created = await insertBooking(trx, {
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
          ref_num: input.ref_num ?? newRefNum(random),
          created_at: now,
          updated_at: now,
        });
        if (!created) throw notFound('facility');
        await emit(event(facilityId, created.id, 'booking_created'));
        return bookingOut(created);
      });
    },

    /** A move to `cancelled` is announced as booking_deleted: for the receiver it is gone. */
    async update(facilityId: string, id: number, patch: PatchBookingInput): Promise<BookingOut> {
      const changes = changesOf(patch);
      const row = await withEvents(deps, async (trx, emit) => {
        const before = await findBooking(trx, facilityId, id);
        if (!before) throw await notFoundIn(trx, facilityId, 'booking');
        checkChange(bookingStatuses, before.status as BookingStatus, patch.status);
        const after = await updateBooking(trx, facilityId, id, before.status, {
          ...changes,
          updated_at: clock.now(),
        });
        if (!after) {
          throw new AppError('conflict', 'the booking changed meanwhile; fetch it again', 'status');
        }
        const cancelled = after.status === 'cancelled';
        await emit(event(facilityId, id, cancelled ? 'booking_deleted' : 'booking_updated'));
        return after;
      });
      return bookingOut(row);
    },

    async remove(facilityId: string, id: number): Promise<void> {
      await withEvents(deps, async (trx, emit) => {
        if (!(await deleteBooking(trx, facilityId, id))) {
          throw await notFoundIn(trx, facilityId, 'booking');
        }
        await emit(event(facilityId, id, 'booking_deleted'));
      });
    },
  };
}
