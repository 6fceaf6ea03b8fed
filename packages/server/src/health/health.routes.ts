import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

const Status = Type.Object({ status: Type.String(), database: Type.Optional(Type.String()) });

// Readiness has its own short deadline: a hung database must make /readyz answer 503 quickly,
// not hang the load balancer's probe.
const READY_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.deps;

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process answers',
        response: { 200: Status },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Readiness: the database answers and the process is not stopping',
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      if (app.deps.stopping()) return reply.status(503).send({ status: 'stopping' });
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          store.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
          }),
        ]);
        return { status: 'ready', database: store.profile.name };
      } catch (err) {
        app.log.warn({ err }, 'readiness check failed');
        return reply.status(503).send({ status: 'unready', database: store.profile.name });
      } finally {
        clearTimeout(timer);
      }
    },
  );
};
