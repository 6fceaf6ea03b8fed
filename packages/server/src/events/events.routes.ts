import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ResourceId, StringEnum } from '../core/fields.js';
import { errors, FacilityParams, security } from '../http/schemas.js';
import {
  answerOnce,
  IdempotencyHeaders,
  idempotencyDescription,
} from '../idempotency/answer-once.js';
import { ACTIONS, eventsService } from './events.service.js';

const tags = ['events'];
const ResourceTypeSchema = StringEnum(['booking', 'productorder'] as const);
const Action = StringEnum(ACTIONS, { description: 'Must be an action on `type`' });

const IngestBody = Type.Object(
  {
    id: Type.Integer({ ...ResourceId, description: 'The booking or order id in your system' }),
    type: ResourceTypeSchema,
    action: Action,
  },
  { additionalProperties: false },
);

const IngestedSchema = Type.Object(
  {
    event_id: Type.Integer({ description: 'The outbox row; deliveries point at it' }),
    facility_id: Type.String(),
    type: ResourceTypeSchema,
    id: Type.Integer(),
    action: Type.String(),
  },
  { title: 'IngestedEvent' },
);

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = eventsService(app.deps);

  app.post(
    '/v1/facility/:facility_id/events',
    {
      config: { scope: 'operator' },
      schema: {
        tags,
        security,
        summary: 'Push an event from an external booking system (operator key)',
        description:
          'Recorded in the outbox and sent to every subscribed webhook, like a change made ' +
          'through this API. The resource itself is not stored here. A 202 means the event ' +
          `is durable; delivery follows. ${idempotencyDescription}`,
        params: FacilityParams,
        headers: IdempotencyHeaders,
        body: IngestBody,
        response: { 202: IngestedSchema, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const answer = { facilityId: request.params.facility_id, status: 202 };
      return answerOnce(request, reply, answer, (run) =>
        service.ingest(request.params.facility_id, request.body, run),
      );
    },
  );
};
