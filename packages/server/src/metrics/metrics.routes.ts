import type { App } from '../app.js';

/** GET /metrics in the Prometheus text format, when the app was given metrics. */
export async function metricsRoutes(app: App): Promise<void> {
  const metrics = app.deps.metrics;
  if (!metrics) return;
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
}
