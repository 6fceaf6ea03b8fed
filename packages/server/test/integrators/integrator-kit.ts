// What the integrator tests share: the app served on a real port (the details client and the
// example consumer fetch over HTTP), the facility's API, and a booking and an order to create.
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { facilityApi as callsOf, type TestFacility } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';

export const booking = {
  num: 4,
  date: '2026-12-24T19:30:00+01:00',
  name: 'Ada Lovelace',
  table: '12',
};

export const order = {
  type: 'pickup',
  items: [{ product_id: 'p1', name: 'Fish & chips', quantity: 2, unit_price: 1450 }],
  name: 'Grace Hopper',
};

/** Serves the harness's app on 127.0.0.1:0 (h.close() stops it) and answers its base URL. */
export async function serve(h: Harness): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

export function facilityApi(h: Harness, fac: TestFacility) {
  const api = callsOf(h, fac);
  return {
    api,
    /** Creates a resource (or anything) and fails the test unless it answers 201. */
    async create(path: string, body: unknown): Promise<any> {
      const res = await api('POST', path, body);
      expect(res.status, res.body).toBe(201);
      return res.json;
    },
    async deliveries(webhookId: string): Promise<any[]> {
      return (await api('GET', `/webhooks/${webhookId}/deliveries`)).json.objects;
    },
  };
}
