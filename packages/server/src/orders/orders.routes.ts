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
  CreateOrderBody,
  OrderListQuery,
  OrderParams,
  OrderSchema,
  PatchOrderBody,
} from './orders.schemas.js';
import { ordersService } from './orders.service.js';

const tags = ['productorders'];
const collection = '/v1/facility/:facility_id/productorders';
const member = `${collection}/:order_id`;

export async function orderRoutes(app: App): Promise<void> {
  const service = ordersService(app.deps);

  app.get(
    collection,
    {
      schema: {
        tags,
        security,
        summary: 'List product orders, newest first',
        params: FacilityParams,
        querystring: OrderListQuery,
        response: { 200: ListOf(OrderSchema), ...errors(400, 401, 403, 404) },
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
        summary: 'Create a product order (total computed here); emits productorder_created',
        description: idempotencyDescription,
        params: FacilityParams,
        headers: IdempotencyHeaders,
        body: CreateOrderBody,
        response: { 201: OrderSchema, ...errors(400, 401, 403, 404, 409, 422) },
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
        summary: 'The product order',
        params: OrderParams,
        response: { 200: OrderSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await requireFacility(request, request.params.facility_id, 'read');
      return service.get(request.params.facility_id, request.params.order_id);
    },
  );

  app.patch(
    member,
    {
      schema: {
        tags,
        security,
        summary:
          'Change a product order; emits productorder_updated, or productorder_deleted when cancelled',
        description:
          'Statuses move received → accepted → ready → completed, or to cancelled; a completed ' +
          'or cancelled order can no longer be changed (422). A delivery needs an address (422).',
        params: OrderParams,
        body: PatchOrderBody,
        response: { 200: OrderSchema, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      await requireFacility(request, request.params.facility_id, 'write');
      const { facility_id, order_id } = request.params;
      return service.update(facility_id, order_id, request.body);
    },
  );

  app.delete(
    member,
    {
      schema: {
        tags,
        security,
        summary: 'Delete a product order; emits productorder_deleted',
        params: OrderParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await requireFacility(request, request.params.facility_id, 'write');
      await service.remove(request.params.facility_id, request.params.order_id);
      return reply.status(204).send(null);
    },
  );
}
