// Rotation with overlap: a webhook's signing secret, and its Basic-Auth credentials.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors, security } from '../http/schemas.js';
import {
  RotateCredentialsBody,
  RotatedSecretSchema,
  RotateSecretBody,
} from './rotation.schemas.js';
import { rotationService } from './rotation.service.js';
import { WebhookParams, WebhookSchema } from './webhooks.schemas.js';

const tags = ['webhooks'];

export const rotationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = rotationService(app.deps);
  const base = '/v1/facility/:facility_id/webhooks/:webhook_id';
  // `curl -X POST …/rotate` with no body at all means "the defaults".
  const emptyIsDefaults = async (request: { body: unknown }) => {
    if (request.body === undefined || request.body === null) request.body = {};
  };

  app.post(
    `${base}/secret/rotate`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'A new signing secret, with the old one still signed with for a while',
        description:
          'Answers the new secret (whsec_…). Until `expire_old_after_hours` (default 24) have ' +
          'passed, webhook-signature carries both signatures, space-separated, as the Standard ' +
          'Webhooks spec allows: receivers verify with either secret while they switch.',
        params: WebhookParams,
        body: RotateSecretBody,
        response: { 200: RotatedSecretSchema, ...errors(400, 401, 403, 404) },
      },
      preValidation: emptyIsDefaults,
    },
    async (request) => {
      const { facility_id, webhook_id } = request.params;
      return service.rotateSecret(facility_id, webhook_id, request.body.expire_old_after_hours);
    },
  );

  app.delete(
    `${base}/secret/previous`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Stop signing with the rotated-out secret now',
        params: WebhookParams,
        response: { 200: WebhookSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { facility_id, webhook_id } = request.params;
      return service.endSecretOverlap(facility_id, webhook_id);
    },
  );

  app.post(
    `${base}/credentials/rotate`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'New Basic-Auth credentials, with the old ones as a fallback for a while',
        description:
          'From now on the new username and password are sent. Until `overlap_hours` (default ' +
          '24) have passed, a 401 or 403 answer is followed at once by the same request with the ' +
          "old credentials; the delivery log records which ones each attempt sent, and the webhook's " +
          '`credentials_rotation.receiver_accepts` says which the receiver took last. Both stay ' +
          'encrypted and are never returned.',
        params: WebhookParams,
        body: RotateCredentialsBody,
        response: { 200: WebhookSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { facility_id, webhook_id } = request.params;
      return service.rotateCredentials(facility_id, webhook_id, request.body);
    },
  );

  app.delete(
    `${base}/credentials/previous`,
    {
      config: { scope: 'webhooks' },
      schema: {
        tags,
        security,
        summary: 'Drop the old Basic-Auth credentials now: only the new ones are sent',
        params: WebhookParams,
        response: { 200: WebhookSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { facility_id, webhook_id } = request.params;
      return service.endCredentialsOverlap(facility_id, webhook_id);
    },
  );
};
