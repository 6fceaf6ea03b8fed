// Facilities, API keys and webhooks created through the public API, as an operator and a
// restaurant would.
import { request } from 'undici';
import { BENCH_PASSWORD, BENCH_USER } from './receiver.js';
import { OPERATOR_KEY, type Service } from './service.js';

export interface Hooked {
  facilityId: string;
  apiKey: string;
  webhookId: string;
  /** The receiver path this webhook posts to. */
  path: string;
}

async function call(
  service: Service,
  method: 'POST' | 'GET',
  path: string,
  key: string,
  body?: unknown,
) {
  const res = await request(new URL(path, service.url), {
    method,
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.body.json().catch(() => undefined)) as any;
  if (res.statusCode >= 300) {
    throw new Error(`${method} ${path} answered ${res.statusCode}: ${JSON.stringify(json)}`);
  }
  return json;
}

/**
 * One premium facility with one webhook on `booking_created` (or `webhook.events`, with the
 * webhook's other settings), posting to origin + path.
 */
export async function facilityWithWebhook(
  service: Service,
  facilityId: string,
  origin: string,
  path = `/${facilityId}`,
  webhook: Record<string, unknown> = {},
): Promise<Hooked> {
  await call(service, 'POST', '/v1/facility', OPERATOR_KEY, {
    id: facilityId,
    name: facilityId,
    plan: 'premium',
  });
  const { key } = await call(service, 'POST', `/v1/facility/${facilityId}/api-keys`, OPERATOR_KEY, {
    name: 'bench',
    scopes: ['read', 'write', 'webhooks'],
  });
  const hook = await call(service, 'POST', `/v1/facility/${facilityId}/webhooks`, key, {
    url: `${origin}${path}`,
    username: BENCH_USER,
    password: BENCH_PASSWORD,
    events: ['booking_created'],
    ...webhook,
  });
  return { facilityId, apiKey: key, webhookId: hook.id, path };
}

/** `count` facilities named `${prefix}-0…`, each with one webhook to its own path. */
export async function facilities(
  service: Service,
  prefix: string,
  count: number,
  originFor: (i: number) => string,
  webhook: Record<string, unknown> = {},
): Promise<Hooked[]> {
  const out: Hooked[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      await facilityWithWebhook(service, `${prefix}-${i}`, originFor(i), undefined, webhook),
    );
  }
  return out;
}
