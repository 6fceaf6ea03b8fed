import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, FacilityIdParam, FacilityParams, ListOf, security } from '../http/schemas.js';
import {
  ApiKeySchema,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  CreateUserBody,
  UserSchema,
} from './credentials.schemas.js';
import { credentialsService } from './credentials.service.js';

const tags = ['credentials'];

export const credentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = credentialsService(app.deps);

  app.post(
    '/v1/facility/:facility_id/api-keys',
    {
      config: { scope: 'owner' },
      schema: {
        tags,
        security,
        summary: 'Create an API key (operator or facility owner); the key is shown once',
        params: FacilityParams,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeySchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      return reply
        .status(201)
        .send(await service.createApiKey(request.params.facility_id, request.body));
    },
  );

  app.get(
    '/v1/facility/:facility_id/api-keys',
    {
      config: { scope: 'owner' },
      schema: {
        tags,
        security,
        summary: 'List API keys (never the keys themselves)',
        params: FacilityParams,
        response: { 200: ListOf(ApiKeySchema), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      return service.listApiKeys(request.params.facility_id);
    },
  );

  app.delete(
    '/v1/facility/:facility_id/api-keys/:key_id',
    {
      config: { scope: 'owner' },
      schema: {
        tags,
        security,
        summary: 'Revoke an API key; it stops working at once',
        params: Type.Object({
          facility_id: FacilityIdParam,
          key_id: Type.String({ maxLength: 100 }),
        }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.revokeApiKey(request.params.facility_id, request.params.key_id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/facility/:facility_id/users',
    {
      config: { scope: 'owner' },
      schema: {
        tags,
        security,
        summary: 'Create a UI user (operator or facility owner)',
        params: FacilityParams,
        body: CreateUserBody,
        response: { 201: UserSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      return reply
        .status(201)
        .send(await service.createUser(request.params.facility_id, request.body));
    },
  );
};
