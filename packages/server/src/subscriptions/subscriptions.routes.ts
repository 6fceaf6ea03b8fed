import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, FacilityParams, security } from '../http/schemas.js';
import {
  SampleQuery,
  SubscribeBody,
  SubscriptionParams,
  SubscriptionSchema,
  TriggerSchema,
} from './subscriptions.schemas.js';
import { subscriptionsService } from './subscriptions.service.js';

const tags = ['subscriptions'];
const base = '/v1/facility/:facility_id/subscriptions';

// The `webhooks` scope: a subscription is a webhook, and whoever may add one may add the other.
export const subscriptionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = subscriptionsService(app.deps);

  app.post(
    base,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Subscribe a URL to one event (REST hook, for Zapier and Make; premium plan)',
        description:
          'Makes a webhook of kind "subscription": it is listed with the webhooks and has their ' +
          'SSRF checks, per-facility limit, delivery log and retries. Credentials are optional; ' +
          'without them no Authorization header is sent. Needs the webhooks scope.',
        params: FacilityParams,
        body: SubscribeBody,
        response: { 201: SubscriptionSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const created = await service.subscribe(request.params.facility_id, request.body);
      return reply.status(201).send(created);
    },
  );

  app.delete(
    `${base}/:subscription_id`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Unsubscribe: delete the subscription and its delivery log',
        description: 'Only subscriptions: a hand-made webhook with this id answers 404.',
        params: SubscriptionParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.unsubscribe(request.params.facility_id, request.params.subscription_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/sample`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'The latest triggers of an event, newest first, exactly as they are sent',
        description:
          "A bare array, as Zapier's Perform List and Make expect: for the platforms' set-up " +
          'screens and for polling. With no such event yet, one example with id 0.',
        params: FacilityParams,
        querystring: SampleQuery,
        response: { 200: Type.Array(TriggerSchema), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      return service.sample(request.params.facility_id, request.query);
    },
  );
};
