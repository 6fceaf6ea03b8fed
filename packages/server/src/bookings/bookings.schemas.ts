import { type Static, Type } from '@sinclair/typebox';
import {
  Comment,
  Email,
  GuestName,
  Instant,
  Label,
  Nullable,
  Phone,
  ResourceId,
  StringEnum,
} from '../core/fields.js';
import { FacilityIdParam, IsoTime, Pagination } from '../http/schemas.js';

export const BOOKING_STATUSES = [
  'requested',
  'confirmed',
  'seated',
  'completed',
  'no_show',
  'cancelled',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

const Status = StringEnum(BOOKING_STATUSES);
const Num = Type.Integer({ minimum: 1, maximum: 1000, description: 'Party size' });
const Duration = Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes' });
const RefNum = Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' });

export const BookingSchema = Type.Object(
  {
    id: Type.Integer(),
    facility_id: Type.String(),
    num: Num,
    date: Type.String({ format: 'date-time', description: 'The start, as it was given' }),
    duration: Duration,
    status: Status,
    name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    comment: Nullable(Type.String()),
    source: Nullable(Type.String()),
    table: Nullable(Type.String()),
    area: Nullable(Type.String()),
    ref_num: Type.String(),
    created_at: IsoTime,
    updated_at: IsoTime,
  },
  { title: 'Booking' },
);
export type BookingOut = Static<typeof BookingSchema>;

// The fields a client may set, in both bodies; null clears an optional one.
const editable = {
  num: Num,
  date: Instant,
  duration: Duration,
  status: Status,
  name: GuestName,
  email: Nullable(Email),
  phone: Nullable(Phone),
  comment: Nullable(Comment),
  source: Nullable(Label(50)),
  table: Nullable(Label(50)),
  area: Nullable(Label(100)),
};

export const CreateBookingBody = Type.Object(
  {
    num: editable.num,
    date: editable.date,
    duration: Type.Optional(Type.Integer({ ...Duration, default: 120 })),
    status: Type.Optional(
      StringEnum(BOOKING_STATUSES, {
        default: 'confirmed',
        description: 'requested, confirmed or seated (a walk-in)',
      }),
    ),
    name: editable.name,
    email: Type.Optional(editable.email),
    phone: Type.Optional(editable.phone),
    comment: Type.Optional(editable.comment),
    source: Type.Optional(editable.source),
    table: Type.Optional(editable.table),
    area: Type.Optional(editable.area),
    ref_num: Type.Optional(Type.String({ ...RefNum, description: 'Generated when absent' })),
  },
  { additionalProperties: false },
);
export type CreateBookingInput = Static<typeof CreateBookingBody>;

export const PatchBookingBody = Type.Partial(Type.Object(editable), {
  additionalProperties: false,
  minProperties: 1,
});
export type PatchBookingInput = Static<typeof PatchBookingBody>;

export const BookingParams = Type.Object({ facility_id: FacilityIdParam, booking_id: ResourceId });

export const BookingListQuery = Type.Object(
  {
    ...Pagination,
    date_from: Type.Optional(
      Type.String({ ...Instant, description: 'Bookings starting at or after (encode + as %2B)' }),
    ),
    date_to: Type.Optional(
      Type.String({ ...Instant, description: 'Bookings starting before (encode + as %2B)' }),
    ),
    status: Type.Optional(
      Type.Array(Status, { maxItems: 6, description: 'One or more; repeat the parameter' }),
    ),
  },
  { additionalProperties: false },
);
export type BookingListInput = Static<typeof BookingListQuery>;
