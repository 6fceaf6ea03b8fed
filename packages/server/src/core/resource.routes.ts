// The five routes of a facility's resource (list, create, get, change, delete), written once
// for bookings and product orders. A resource brings its paths, schemas and words as data.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type { AppDeps } from '../deps.js';
import { errors, FacilityParams, ListOf, security } from '../http/schemas.js';
import {
  answerOnce,
  IdempotencyHeaders,
  idempotencyDescription,
} from '../idempotency/answer-once.js';
import type { InTransaction } from '../idempotency/in-transaction.js';
import type { Page } from './resource.service.js';

/** What the routes call; the inputs were validated against the schemas below. */
export interface ResourceService<Out> {
  list(facilityId: string, query: never): Promise<Page<Out>>;
  get(facilityId: string, id: number): Promise<Out>;
  create(facilityId: string, input: never, run?: InTransaction): Promise<Out>;
  update(facilityId: string, id: number, patch: never): Promise<Out>;
  remove(facilityId: string, id: number): Promise<void>;
}

export interface ResourceRoutes<Out> {
  tag: string;
  /** e.g. `/v1/facility/:facility_id/bookings` */
  collection: string;
  /** The member's id parameter, e.g. `booking_id`. */
  idParam: string;
  schemas: { item: TSchema; params: TSchema; query: TSchema; create: TSchema; patch: TSchema };
  summaries: {
    list: string;
    create: string;
    get: string;
    update: string;
    updateDescription: string;
    remove: string;
  };
  service: (deps: AppDeps) => ResourceService<Out>;
}

// The routes hand validated input on as it came; the service's own types describe it.
type Params = { facility_id: string } & Record<string, unknown>;

export function resourceRoutes<Out>(spec: ResourceRoutes<Out>): FastifyPluginAsyncTypebox {
  const { schemas, summaries, collection } = spec;
  const tags = [spec.tag];
  const member = `${collection}/:${spec.idParam}`;
  const idOf = (params: unknown) => (params as Params)[spec.idParam] as number;
  const facilityOf = (params: unknown) => (params as Params).facility_id;

  return async (app) => {
    const service = spec.service(app.deps);

    app.get(
      collection,
      {
        config: { scope: 'read' },
        schema: {
          tags,
          security,
          summary: summaries.list,
          params: FacilityParams,
          querystring: schemas.query,
          response: { 200: ListOf(schemas.item), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        return service.list(facilityOf(request.params), request.query as never);
      },
    );

    app.post(
      collection,
      {
        config: { scope: 'write' },
        schema: {
          tags,
          security,
          summary: summaries.create,
          description: idempotencyDescription,
          params: FacilityParams,
          headers: IdempotencyHeaders,
          body: schemas.create,
          response: { 201: schemas.item, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const facilityId = facilityOf(request.params);
        const answer = { facilityId, status: 201 };
        return answerOnce(request, reply, answer, (run) =>
          service.create(facilityId, request.body as never, run),
        );
      },
    );

    app.get(
      member,
      {
        config: { scope: 'read' },
        schema: {
          tags,
          security,
          summary: summaries.get,
          params: schemas.params,
          response: { 200: schemas.item, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        return service.get(facilityOf(request.params), idOf(request.params));
      },
    );

    app.patch(
      member,
      {
        config: { scope: 'write' },
        schema: {
          tags,
          security,
          summary: summaries.update,
          description: summaries.updateDescription,
          params: schemas.params,
          body: schemas.patch,
          response: { 200: schemas.item, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) => {
        const { params } = request;
        return service.update(facilityOf(params), idOf(params), request.body as never);
      },
    );

    app.delete(
      member,
      {
        config: { scope: 'write' },
        schema: {
          tags,
          security,
          summary: summaries.remove,
          params: schemas.params,
          response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await service.remove(facilityOf(request.params), idOf(request.params));
        return reply.status(204).send(null);
      },
    );
  };
}
