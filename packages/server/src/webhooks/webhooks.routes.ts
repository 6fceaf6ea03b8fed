import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { page } from '../core/paging.js';
import { errors, FacilityParams, ListOf, Pagination, security } from '../http/schemas.js';
import {
  CreatedWebhookSchema,
  CreateWebhookBody,
  PatchWebhookBody,
  WebhookParams,
  WebhookSchema,
} from './webhooks.schemas.js';
import { webhooksService } from './webhooks.service.js';

const tags = ['webhooks'];

export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = webhooksService(app.deps);
  const base = '/v1/facility/:facility_id/webhooks';

  app.get(
    base,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: "The facility's webhooks, with each one's state and last delivery",
        params: FacilityParams,
        querystring: Type.Object(Pagination, { additionalProperties: false }),
        response: { 200: ListOf(WebhookSchema), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = page(request.query);
      return service.list(request.params.facility_id, limit, offset);
    },
  );

  app.post(
    base,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Add a webhook (premium plan)',
        description:
          'The password is stored encrypted and never returned. The URL must be http(s) and must not ' +
          'point at private, loopback or link-local addresses.',
        params: FacilityParams,
        body: CreateWebhookBody,
        response: { 201: CreatedWebhookSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      return reply.status(201).send(await service.create(request.params.facility_id, request.body));
    },
  );

  app.get(
    `${base}/:webhook_id`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'One webhook',
        params: WebhookParams,
        response: { 200: WebhookSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      return service.get(request.params.facility_id, request.params.webhook_id);
    },
  );

  app.patch(
    `${base}/:webhook_id`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Change a webhook; leave out the password to keep it; enabled: true re-enables',
        description:
          'A new `url` needs `password` in the same request (400 naming `password` otherwise): ' +
          'the stored password is only ever sent where it was sent before. Receivers such as ' +
          'hooks.zapier.com serve many tenants on one origin, so a new path or query counts ' +
          'too; the same URL spelt otherwise (host case, a default port) does not.',
        params: WebhookParams,
        body: PatchWebhookBody,
        response: { 200: WebhookSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      return service.update(request.params.facility_id, request.params.webhook_id, request.body);
    },
  );

  app.delete(
    `${base}/:webhook_id`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Delete a webhook and its delivery log',
        params: WebhookParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.facility_id, request.params.webhook_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/:webhook_id/secret`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'The signing secret (Standard Webhooks, whsec_…) for verifying webhook-signature',
        params: WebhookParams,
        response: { 200: Type.Object({ signing_secret: Type.String() }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      return {
        signing_secret: await service.signingSecret(
          request.params.facility_id,
          request.params.webhook_id,
        ),
      };
    },
  );
};
