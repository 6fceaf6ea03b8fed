import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { requireFacility } from '../auth/authenticate.js';
import { errors, FacilityParams, ListOf, security } from '../http/schemas.js';
import {
  answerOnce,
  IdempotencyHeaders,
  idempotencyDescription,
} from '../idempotency/answer-once.js';
import {
  BookingListQuery,
  BookingParams,
  BookingSchema,
  CreateBookingBody,
  PatchBookingBody,
} from './bookings.schemas.js';
import { bookingsService } from './bookings.service.js';

const tags = ['bookings'];
const collection = '/v1/facility/:facility_id/bookings';
const member = `${collection}/:booking_id`;

export async function bookingRoutes(app: App): Promise<void> {
  const service = bookingsService(app.deps);

  app.get(
    collection,
    {
      schema: {
        tags,
        security,
        summary: 'List bookings, in order of their start',
        params: FacilityParams,
        querystring: BookingListQuery,
        response: { 200: ListOf(BookingSchema), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await requireFacility(request, request.params.facility_id, 'read');
      return service.list(request.params.facility_id, request.query);
    },
  );

  app.post(
    collection,
    {
      schema: {
        tags,
        security,
        summary: 'Create a booking; emits booking_created',
        description: idempotencyDescription,
        params: FacilityParams,
        headers: IdempotencyHeaders,
        body: CreateBookingBody,
        response: { 201: BookingSchema, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      await requireFacility(request, request.params.facility_id, 'write');
      const answer = { facilityId: request.params.facility_id, status: 201 };
      return answerOnce(request, reply, answer, (run) =>
        service.create(request.params.facility_id, request.body, run),
      );
    },
  );

  app.get(
    member,
    {
      schema: {
        tags,
        security,
        summary: 'The booking',
        params: BookingParams,
        response: { 200: BookingSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await requireFacility(request, request.params.facility_id, 'read');
      return service.get(request.params.facility_id, request.params.booking_id);
    },
  );

  app.patch(
    member,
    {
      schema: {
        tags,
        security,
        summary: 'Change a booking; emits booking_updated, or booking_deleted when cancelled',
        description:
          'Statuses move requested → confirmed → seated → completed, with no_show and ' +
          'cancelled on the way; a cancelled booking can no longer be changed (422).',
        params: BookingParams,
        body: PatchBookingBody,
        response: { 200: BookingSchema, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      await requireFacility(request, request.params.facility_id, 'write');
      const { facility_id, booking_id } = request.params;
      return service.update(facility_id, booking_id, request.body);
    },
  );

  app.delete(
    member,
    {
      schema: {
        tags,
        security,
        summary: 'Delete a booking; emits booking_deleted',
        params: BookingParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await requireFacility(request, request.params.facility_id, 'write');
      await service.remove(request.params.facility_id, request.params.booking_id);
      return reply.status(204).send(null);
    },
  );
}
