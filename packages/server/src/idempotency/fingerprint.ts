// What makes two requests "the same request" for an Idempotency-Key: the method, the route
// and the body as JSON with its keys sorted, so that a client that serialises its object in
// another order on a retry is still recognised.
import { createHash } from 'node:crypto';

/** JSON with object keys in sorted order at every depth; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestFingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route}\n`)
    .update(canonicalJson(body ?? null))
    .digest('hex');
}
