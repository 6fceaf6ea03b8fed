// Every API route declares who may call it in its config, and these hooks enforce it: no
// handler checks credentials by hand, and a route under /v1/ that declares nothing cannot
// even be registered (the app fails to build), so a forgotten check is found at once.
//
//   config: { public: true }        anyone (logging in)
//   config: { scope: 'operator' }   the operator key
//   config: { scope: 'read' | 'write' | 'webhooks' | 'owner' }   on :facility_id (requireFacility)
//   config: { scope: 'authenticated' }  any caller with credentials; the route looks closer
//
// Two stages, as before: who is calling is settled before the input is looked at (without
// valid credentials a request learns nothing, not even which of its fields would be
// refused); what they may do is checked after validation, on the validated :facility_id.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { principalOf, requireFacility, requireOperator } from './authenticate.js';
import type { Scope } from './principal.js';

export type RouteScope = Scope | 'owner' | 'operator' | 'authenticated';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without credentials (e.g. the login route). */
    public?: boolean;
    /** Who may call it (see declared-auth.ts); every /v1/ route declares this or `public`. */
    scope?: RouteScope;
  }
}

const isApi = (url: string | undefined) => url?.startsWith('/v1/') ?? false;

export function declaredAuth(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!isApi(route.url)) return;
    const config = route.config as { public?: boolean; scope?: RouteScope } | undefined;
    if (config?.public === true || config?.scope !== undefined) return;
    const methods = [route.method].flat().join(',');
    throw new Error(
      `${methods} ${route.url} declares no auth: give it config.scope (or config.public)`,
    );
  });

  app.addHook('preValidation', async (request) => {
    if (!isApi(request.routeOptions.url) || request.routeOptions.config?.public) return;
    if (!(await principalOf(request))) {
      throw new AppError(
        'unauthorized',
        'an API key is required (Api-Key header or Authorization: Bearer)',
      );
    }
  });

  app.addHook('preHandler', async (request) => {
    if (!isApi(request.routeOptions.url)) return;
    const scope = request.routeOptions.config?.scope;
    if (scope === undefined || scope === 'authenticated') return;
    if (scope === 'operator') return requireOperator(request);
    const { facility_id } = request.params as { facility_id: string };
    await requireFacility(request, facility_id, scope);
  });
}
