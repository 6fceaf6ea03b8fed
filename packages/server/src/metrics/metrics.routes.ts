import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { safeEqual } from '../security/hashing.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
// Headers a reverse proxy adds: a request that passed one came from elsewhere, whatever
// the socket's peer address says.
const PROXIED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/** Without a token, only a scraper on this machine that talked to us directly. */
function cameFromThisMachine(request: FastifyRequest): boolean {
  const peer = request.raw.socket?.remoteAddress ?? '';
  return LOOPBACK.has(peer) && !PROXIED.some((h) => request.headers[h] !== undefined);
}

function bearerOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  return typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
}

/**
 * GET /metrics in the Prometheus text format, when the app was given metrics. With
 * TABLEHOOKS_METRICS_TOKEN it needs `Authorization: Bearer <token>`; without, it answers
 * loopback clients only: queue sizes and error rates are not for everyone on the public port.
 */
export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const metrics = app.deps.metrics;
  if (!metrics) return;
  const token = app.deps.config.metricsToken;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (token !== undefined) {
      const presented = bearerOf(request);
      if (presented === undefined || !safeEqual(presented, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new AppError('unauthorized', 'metrics need Authorization: Bearer <metrics token>');
      }
    } else if (!cameFromThisMachine(request)) {
      throw new AppError(
        'forbidden',
        'metrics are served to this machine only; set TABLEHOOKS_METRICS_TOKEN to scrape from elsewhere',
      );
    }
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
};
