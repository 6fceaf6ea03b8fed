import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, ListOf, security } from '../http/schemas.js';
import { TESTS_PER_MINUTE } from '../queue/sql/enqueue-test.js';
import { WebhookParams } from '../webhooks/webhooks.schemas.js';
import {
  DeliveryParams,
  DeliveryQuery,
  DeliverySchema,
  DeliveryWithAttemptsSchema,
  RecoverBody,
  TestBody,
  TestResultSchema,
} from './deliveries.schemas.js';
import { deliveriesService } from './deliveries.service.js';

const tags = ['deliveries'];

export const deliveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = deliveriesService(app.deps);
  const base = '/v1/facility/:facility_id/webhooks/:webhook_id';

  app.get(
    `${base}/deliveries`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'The delivery log, newest first; filter by status, event and creation time',
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: { 200: ListOf(DeliverySchema), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { facility_id, webhook_id } = request.params;
      return service.list(facility_id, webhook_id, request.query);
    },
  );

  app.get(
    `${base}/deliveries/:delivery_id`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'One delivery with every attempt',
        params: DeliveryParams,
        response: { 200: DeliveryWithAttemptsSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { facility_id, webhook_id, delivery_id } = request.params;
      return service.get(facility_id, webhook_id, delivery_id);
    },
  );

  app.post(
    `${base}/deliveries/:delivery_id/resend`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Send a delivery again now (same webhook-id, fresh retries)',
        params: DeliveryParams,
        response: { 202: DeliverySchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { facility_id, webhook_id, delivery_id } = request.params;
      return reply.status(202).send(await service.resend(facility_id, webhook_id, delivery_id));
    },
  );

  app.post(
    `${base}/recover`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Send again every failed delivery created since a time',
        params: WebhookParams,
        body: RecoverBody,
        response: {
          202: Type.Object({ recovered: Type.Integer() }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { facility_id, webhook_id } = request.params;
      return reply
        .status(202)
        .send(
          await service.recover(facility_id, webhook_id, request.body.since, request.body.until),
        );
    },
  );

  app.post(
    `${base}/test`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Send a test trigger now and answer with the attempt',
        description:
          'The body is a normal trigger ({"id", "facility_id", "action"}) for `event` (default: the ' +
          "webhook's first event) and `id` (default 0), sent with a `webhook-test: true` header so " +
          'the receiver can tell it from a real event. It goes through the delivery queue, is tried ' +
          'once, even on a disabled webhook, and shows in the delivery log. The answer waits for ' +
          'the attempt (200); if no dispatcher sent it within the delivery timeout plus 5 s, it is ' +
          '202 with the queued delivery and no attempt. One test per webhook may be in flight and ' +
          `${TESTS_PER_MINUTE} may be sent a minute (429 with Retry-After beyond that).`,
        params: WebhookParams,
        body: TestBody,
        response: {
          200: TestResultSchema,
          202: TestResultSchema,
          ...errors(400, 401, 403, 404, 429),
        },
      },
      // `curl -X POST …/test` with no body at all means "the defaults".
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const { facility_id, webhook_id } = request.params;
      const result = await service.test(facility_id, webhook_id, request.body);
      return reply.status(result.attempt ? 200 : 202).send(result);
    },
  );
};
