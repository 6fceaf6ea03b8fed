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
  StatsQuery,
  StatsSchema,
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
    `${base}/deliveries/:delivery_id/retry`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Retry now: a delivery waiting for its next retry is due at once',
        description:
          'Only a delivery waiting for a retry (status pending after a failed attempt): it is ' +
          'sent now instead of at next_attempt_at, with the same webhook-id and sequence; its ' +
          'retry schedule goes on from where it was. Per-resource order holds: a waiting ' +
          'delivery is already the first in its line. Any other delivery is 409 naming its ' +
          'status (a finished one is sent again with …/resend).',
        params: DeliveryParams,
        response: { 202: DeliverySchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { facility_id, webhook_id, delivery_id } = request.params;
      return reply.status(202).send(await service.retry(facility_id, webhook_id, delivery_id));
    },
  );

  app.post(
    `${base}/retry`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Retry now: every delivery of the webhook waiting for a retry is due at once',
        description:
          'After the receiver is fixed: each delivery waiting for its next retry goes out now ' +
          '(as …/deliveries/{delivery_id}/retry does for one). Answers how many.',
        params: WebhookParams,
        response: {
          202: Type.Object({ retried: Type.Integer() }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { facility_id, webhook_id } = request.params;
      return reply.status(202).send(await service.retryAll(facility_id, webhook_id));
    },
  );

  app.get(
    `${base}/stats`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Deliveries per hour: the delivery log chart',
        description:
          "Counts of the webhook's deliveries (test triggers not counted) by the hour they were " +
          'created, over the last `hours` (default 24), one bucket per hour, oldest first, the ' +
          'current hour last and zeros included. delivered: succeeded; failed: failed or ' +
          'expired; retrying: pending after a failed attempt (recover sends these too); ' +
          'pending: not tried yet, waiting in line (blocked) or held (paused). Superseded ' +
          'deliveries (never needed) are not counted.',
        params: WebhookParams,
        querystring: StatsQuery,
        response: { 200: StatsSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { facility_id, webhook_id } = request.params;
      return service.stats(facility_id, webhook_id, request.query.hours ?? 24);
    },
  );

  app.post(
    `${base}/recover`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Send again every delivery created since a time that has not got through',
        description:
          'Failed (and expired) deliveries created in [since, until] are sent again with a ' +
          'fresh retry cycle (`resent`), and those still retrying — pending after a failed ' +
          'attempt, counted as `retrying` by …/stats — are tried now (`retried`). ' +
          '`recovered` is both together.',
        params: WebhookParams,
        body: RecoverBody,
        response: {
          202: Type.Object({
            recovered: Type.Integer({ description: 'resent + retried' }),
            resent: Type.Integer({ description: 'Failed or expired, queued again' }),
            retried: Type.Integer({ description: 'Waiting for a retry, due now' }),
          }),
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
