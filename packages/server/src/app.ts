// buildApp(deps) assembles the HTTP application and never listens: tests call inject(),
// main.ts calls listen().
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { declaredAuth } from './auth/declared-auth.js';
import { sessionRoutes } from './auth/session.routes.js';
import { bookingRoutes } from './bookings/bookings.routes.js';
import type { Config } from './config.js';
import { credentialRoutes } from './credentials/credentials.routes.js';
import { deliveryRoutes } from './deliveries/deliveries.routes.js';
import type { App, AppDeps } from './deps.js';
import { eventRoutes } from './events/events.routes.js';
import { facilityRoutes } from './facilities/facilities.routes.js';
import { healthRoutes } from './health/health.routes.js';
import { frameworkErrors, installErrorHandler } from './http/error-handler.js';
import { echoRequestIds, requestIdOf } from './http/request-id.js';
import { securityHeaders } from './http/security-headers.js';
import { guardPaths } from './http/url-guard.js';
import { validatorCompiler } from './http/validation.js';
import { type Logger, RequestLogLines, requestLogger } from './logger.js';
import { metricsRoutes } from './metrics/metrics.routes.js';
import { orderRoutes } from './orders/orders.routes.js';
import { subscriptionRoutes } from './subscriptions/subscriptions.routes.js';
import { version } from './version.js';
import { webRoutes } from './web/static.routes.js';
import { rotationRoutes } from './webhooks/rotation.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';

/** A hop count as proxy-addr takes it: the first `hops` addresses back are proxies. */
function trustProxyOption(setting: Config['trustProxy']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

export type { App } from './deps.js';

export async function buildApp(deps: AppDeps): Promise<App> {
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Ids in the path are never case- or slash-sensitive aliases of each other.
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: requestIdOf,
    childLoggerFactory: (logger, bindings, options) =>
      requestLogger(logger as Logger, bindings, options) as FastifyBaseLogger,
    logController: new RequestLogLines(),
    frameworkErrors,
    // TABLEHOOKS_TRUST_PROXY: request.ip (rate limits, logs) from X-Forwarded-For, as far as trusted.
    trustProxy: trustProxyOption(deps.config.trustProxy),
  }).withTypeProvider<TypeBoxTypeProvider>();
  const app: App = fastify;
  app.decorate('deps', deps);
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandler(app);
  // Headers first, so that even the refusal of a malformed path carries them.
  await securityHeaders(app);
  guardPaths(app);
  echoRequestIds(app);

  // Parses Cookie headers (the UI's session); the cookies we set are still written by hand
  // in auth/sessions.ts, whose flags the tests pin.
  await app.register(cookie);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'tablehooks',
        version,
        description:
          'Real-time webhooks for restaurant reservations and online orders. Webhooks carry a thin ' +
          'trigger ({"id", "facility_id", "action"}); details are fetched from this API.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'Api-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
          // The settings UI's login session; state-changing calls also need X-CSRF-Token.
          cookie: { type: 'apiKey', in: 'cookie', name: 'th_session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Each /v1/ route declares who may call it (config.scope or config.public); this checks it.
  declaredAuth(app);

  await app.register(healthRoutes);
  await app.register(facilityRoutes);
  await app.register(credentialRoutes);
  await app.register(bookingRoutes);
  await app.register(orderRoutes);
  await app.register(eventRoutes);
  await app.register(webhookRoutes);
  await app.register(rotationRoutes);
  await app.register(subscriptionRoutes);
  await app.register(deliveryRoutes);
  await app.register(metricsRoutes);
  await app.register(sessionRoutes);
  await app.register(webRoutes());
  return app;
}
