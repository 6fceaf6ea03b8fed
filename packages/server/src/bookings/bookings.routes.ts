import { resourceRoutes } from '../core/resource.routes.js';
import {
  BookingListQuery,
  BookingParams,
  BookingSchema,
  CreateBookingBody,
  PatchBookingBody,
} from './bookings.schemas.js';
import { bookingsService } from './bookings.service.js';

export const bookingRoutes = resourceRoutes({
  tag: 'bookings',
  collection: '/v1/facility/:facility_id/bookings',
  idParam: 'booking_id',
  schemas: {
    item: BookingSchema,
    params: BookingParams,
    query: BookingListQuery,
    create: CreateBookingBody,
    patch: PatchBookingBody,
  },
  summaries: {
    list: 'List bookings, in order of their start',
    create: 'Create a booking; emits booking_created',
    get: 'The booking',
    update: 'Change a booking; emits booking_updated, or booking_deleted when cancelled',
    updateDescription:
      'Statuses move requested → confirmed → seated → completed, with no_show and ' +
      'cancelled on the way; a cancelled booking can no longer be changed (422).',
    remove: 'Delete a booking; emits booking_deleted',
  },
  service: bookingsService,
});
