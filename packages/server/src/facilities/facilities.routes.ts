import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { page } from '../core/paging.js';
import { errors, FacilityParams, ListOf, Pagination, security } from '../http/schemas.js';
import { CreateFacilityBody, FacilitySchema, PatchFacilityBody } from './facilities.schemas.js';
import { facilitiesService } from './facilities.service.js';

const tags = ['facilities'];

export const facilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = facilitiesService(app.deps);

  app.post(
    '/v1/facility',
    {
      config: { scope: 'operator' },
      schema: {
        tags,
        security,
        summary: 'Create a facility (operator key)',
        body: CreateFacilityBody,
        response: { 201: FacilitySchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      return reply.status(201).send(await service.create(request.body));
    },
  );

  app.get(
    '/v1/facility',
    {
      config: { scope: 'operator' },
      schema: {
        tags,
        security,
        summary: 'List facilities (operator key)',
        querystring: Type.Object(Pagination, { additionalProperties: false }),
        response: { 200: ListOf(FacilitySchema), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit, offset } = page(request.query);
      return service.list(limit, offset);
    },
  );

  app.get(
    '/v1/facility/:facility_id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        security,
        summary: 'The facility',
        params: FacilityParams,
        response: { 200: FacilitySchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      return service.get(request.params.facility_id);
    },
  );

  app.patch(
    '/v1/facility/:facility_id',
    {
      config: { scope: 'operator' },
      schema: {
        tags,
        security,
        summary: 'Rename a facility or change its plan (operator key)',
        description:
          'Downgrading to free pauses its webhooks: nothing is sent and nothing is lost. ' +
          'Upgrading to premium resumes them, and held deliveries go out.',
        params: FacilityParams,
        body: PatchFacilityBody,
        response: { 200: FacilitySchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      return service.update(request.params.facility_id, request.body);
    },
  );
};
