// Fastify validates headers by their lower-case names, so ajv reports "idempotency-key"; an
// error names the header as the route's schema (and OpenAPI) spells it: "Idempotency-Key".
import type { FastifyRequest } from 'fastify';

export function documentedHeaderName(
  request: FastifyRequest,
  name: string | undefined,
): string | undefined {
  const schema = request.routeOptions.schema?.headers as
    | { properties?: Record<string, unknown> }
    | undefined;
  if (name === undefined || !schema?.properties) return name;
  return Object.keys(schema.properties).find((k) => k.toLowerCase() === name) ?? name;
}
