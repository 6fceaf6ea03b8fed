// Logging in and out of the settings UI. The session lives in an HttpOnly cookie; the page
// sends the CSRF token it got here as X-CSRF-Token on every state-changing request.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { PlanSchema } from '../facilities/facilities.schemas.js';
import { errors, FacilityIdParam } from '../http/schemas.js';
import { principalOf } from './authenticate.js';
import { loginService } from './login.js';
import { sessionService } from './session.service.js';
import {
  cameOverHttps,
  clearedSessionCookies,
  cookieOf,
  DEVICE_COOKIE,
  deviceCookie,
  sessionCookies,
  sessionTokenOf,
} from './sessions.js';

const tags = ['session'];

const SessionSchema = Type.Object(
  {
    user: Type.Object({
      id: Type.String(),
      email: Type.String(),
      role: Type.Union([Type.Literal('owner'), Type.Literal('staff')]),
    }),
    facility: Type.Object({ id: Type.String(), name: Type.String(), plan: PlanSchema }),
    csrf_token: Type.String({ description: 'Send as X-CSRF-Token on POST, PATCH and DELETE' }),
    expires_at: Type.String({
      format: 'date-time',
      description: 'Moves forward while the session is used',
    }),
  },
  { title: 'Session' },
);

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024, writeOnly: true }),
    facility_id: Type.Optional({
      ...FacilityIdParam,
      description:
        'Only for an email that has an account in several facilities: which one to log in to ' +
        '(without it, the oldest account)',
    }),
  },
  { additionalProperties: false },
);

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sessions } = app.deps;
  const login = loginService(app.deps);
  const session = sessionService(app.deps);
  const describe = session.describe;

  /** The logged-in user behind this request's cookie (API keys have no session). */
  async function current(request: FastifyRequest) {
    const principal = await principalOf(request);
    const token = sessionTokenOf(request);
    if (principal?.kind !== 'user' || token === undefined) {
      throw new AppError('unauthorized', 'not logged in (this request has no session cookie)');
    }
    const user = await session.user(principal.userId);
    return { user, token };
  }

  app.post(
    '/v1/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Log in to the settings UI; sets the th_session cookie',
        description:
          '429 (with Retry-After) after 10 failures for this email from this address in 15 ' +
          'minutes, or 50 for the email or from the address unless this browser has logged in ' +
          'to the email before (th_device cookie). 503 (with Retry-After) when too many log-ins ' +
          'are being checked at once.',
        body: LoginBody,
        response: { 200: SessionSchema, ...errors(400, 401, 429, 503) },
      },
    },
    async (request, reply) => {
      const checked = await login.check({
        email: request.body.email,
        password: request.body.password,
        facilityId: request.body.facility_id,
        ip: request.ip,
        device: cookieOf(request, DEVICE_COOKIE),
      });
      const { user, device } = checked;
      const { token, expiresAt } = await sessions.create(user);
      const secure = cameOverHttps(request);
      reply.header('set-cookie', [...sessionCookies(token, secure), deviceCookie(device, secure)]);
      reply.header('cache-control', 'no-store');
      request.log.info({ user: user.id, facility: user.facility_id }, 'logged in');
      return describe(user, token, expiresAt);
    },
  );

  app.get(
    '/v1/session',
    {
      // A logged-in user; current() refuses an API key (keys have no session).
      config: { scope: 'authenticated' },
      schema: {
        tags,
        summary: 'The logged-in user, their facility and the CSRF token',
        security: [{ cookie: [] }],
        response: { 200: SessionSchema, ...errors(401) },
      },
    },
    async (request, reply) => {
      const { user, token } = await current(request);
      reply.header('cache-control', 'no-store');
      const expiresAt = await sessions.expiresAt(token);
      if (expiresAt === undefined) throw new AppError('unauthorized', 'not logged in');
      return describe(user, token, expiresAt);
    },
  );

  app.delete(
    '/v1/session',
    {
      // A logged-in user; current() refuses an API key (keys have no session).
      config: { scope: 'authenticated' },
      schema: {
        tags,
        summary: 'Log out: the session ends at once',
        security: [{ cookie: [] }],
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const { token } = await current(request);
      await sessions.destroy(token);
      reply.header('set-cookie', clearedSessionCookies(cameOverHttps(request)));
      return reply.status(204).send(null);
    },
  );
};
