// The webhook settings API of one facility, called as its API key would call it.
import { expect } from 'vitest';
import { call, type TestFacility } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';

export type Response = Awaited<ReturnType<typeof call>>;

/** A valid create body for `url`; `over` replaces or adds fields. */
export function webhookBody(url: string, over: Record<string, unknown> = {}) {
  return {
    url,
    username: 'zapier',
    password: 's3cret-pässword',
    events: ['booking_created'],
    ...over,
  };
}

export function webhooksApi(h: Harness, facilityId: string, key: string | undefined) {
  const base = `/v1/facility/${facilityId}/webhooks`;
  const one = (id: string) => `${base}/${id}`;
  const create = (body: unknown) => call(h, { method: 'POST', url: base, key, body });
  return {
    base,
    one,
    create,
    list: (query = '') => call(h, { method: 'GET', url: `${base}${query}`, key }),
    get: (id: string) => call(h, { method: 'GET', url: one(id), key }),
    patch: (id: string, body: unknown) => call(h, { method: 'PATCH', url: one(id), key, body }),
    remove: (id: string) => call(h, { method: 'DELETE', url: one(id), key }),
    test: (id: string, body?: unknown) =>
      call(h, { method: 'POST', url: `${one(id)}/test`, key, body }),
    deliveries: (id: string) => call(h, { method: 'GET', url: `${one(id)}/deliveries`, key }),
    secret: (id: string) => call(h, { method: 'GET', url: `${one(id)}/secret`, key }),
    delivery: (id: string, deliveryId: string) =>
      call(h, { method: 'GET', url: `${one(id)}/deliveries/${deliveryId}`, key }),
    resend: (id: string, deliveryId: string) =>
      call(h, { method: 'POST', url: `${one(id)}/deliveries/${deliveryId}/resend`, key }),
    /** Creates a webhook and fails the test unless it answers 201. */
    async add(body: unknown): Promise<any> {
      const res = await create(body);
      expect(res.status, res.body).toBe(201);
      return res.json;
    },
  };
}

export type WebhooksApi = ReturnType<typeof webhooksApi>;

export const apiOf = (h: Harness, fac: TestFacility) => webhooksApi(h, fac.id, fac.key);

/** The user name and password a receiver gets from `Authorization: Basic …`. */
export function basicCredentials(header: string | string[] | undefined) {
  expect(typeof header).toBe('string');
  const match = /^Basic (\S+)$/.exec(header as string);
  expect(match, `not a Basic Authorization header: ${header}`).not.toBeNull();
  const decoded = Buffer.from(match![1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A webhook id of the right shape that no facility has. */
export const unknownWebhookId = () =>
  `wh_${Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url')}`;
