// Who may see and change a webhook: the premium plan, API keys and their scopes, and the
// wall between facilities.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import {
  apiOf,
  type Response,
  unknownWebhookId,
  type WebhooksApi,
  webhookBody,
  webhooksApi,
} from './webhook-client.js';

/** Every webhook route, as one call each. */
function everyRoute(api: WebhooksApi, id: string, receiverUrl: string) {
  return {
    list: () => api.list(),
    create: () => api.create(webhookBody(receiverUrl)),
    get: () => api.get(id),
    patch: () => api.patch(id, { description: 'changed' }),
    delete: () => api.remove(id),
    test: () => api.test(id),
    deliveries: () => api.deliveries(id),
    secret: () => api.secret(id),
  } satisfies Record<string, () => Promise<Response>>;
}

/** The routes on one webhook (everything but list and create). */
function webhookRoutes(api: WebhooksApi, id: string, deliveryId: string) {
  return {
    get: () => api.get(id),
    patch: () => api.patch(id, { url: 'http://127.0.0.1:1/stolen', description: 'changed' }),
    delete: () => api.remove(id),
    test: () => api.test(id),
    deliveries: () => api.deliveries(id),
    delivery: () => api.delivery(id, deliveryId),
    resend: () => api.resend(id, deliveryId),
    secret: () => api.secret(id),
  } satisfies Record<string, () => Promise<Response>>;
}

describeEachDialect('webhooks and the premium plan', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { dispatcher: true });
    receiver = await TestReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const setPlan = async (fac: TestFacility, plan: 'free' | 'premium') => {
    const res = await operator(h, {
      method: 'PATCH',
      url: `/v1/facility/${fac.id}`,
      body: { plan },
    });
    expect(res.status, res.body).toBe(200);
  };

  it('refuses a webhook to a facility on the free plan with 403 premium_required', async () => {
    const fac = await createFacility(h, { plan: 'free' });
    const api = apiOf(h, fac);
    const res = await api.create(webhookBody(receiver.url));
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('premium_required');
    expect(res.json.error.message).toMatch(/premium plan/);
    expect((await api.list()).json.meta.total_count).toBe(0);
  });

  it('shows the webhooks of a downgraded facility as paused and refuses to enable them', async () => {
    const fac = await createFacility(h);
    const api = apiOf(h, fac);
    const created = await api.add(webhookBody(receiver.url));
    await setPlan(fac, 'free');

    const paused = await api.get(created.id);
    expect(paused.json).toMatchObject({ enabled: true, state: 'paused' });
    expect((await api.list()).json.objects[0].state).toBe('paused');
    const enable = await api.patch(created.id, { enabled: true });
    expect(enable.status).toBe(403);
    expect(enable.json.error.code).toBe('premium_required');
    expect(enable.json.error.message).toMatch(/premium plan/);
    const received = receiver.received.length;
    const test = await api.test(created.id);
    expect(test.status).toBe(403);
    expect(test.json.error.code).toBe('premium_required');
    expect(receiver.received).toHaveLength(received);

    await setPlan(fac, 'premium');
    expect((await api.get(created.id)).json).toMatchObject({ enabled: true, state: 'enabled' });
  });

  it('lets a downgraded facility switch a webhook off, but not on again until it upgrades', async () => {
    const fac = await createFacility(h);
    const api = apiOf(h, fac);
    const created = await api.add(webhookBody(receiver.url));
    await setPlan(fac, 'free');
    const off = await api.patch(created.id, { enabled: false });
    expect(off.status, off.body).toBe(200);
    expect(off.json.state).toBe('disabled');
    expect((await api.patch(created.id, { enabled: true })).status).toBe(403);
    await setPlan(fac, 'premium');
    // An upgrade does not switch on what the user switched off.
    expect((await api.get(created.id)).json.state).toBe('disabled');
    const on = await api.patch(created.id, { enabled: true });
    expect(on.status, on.body).toBe(200);
    expect(on.json.state).toBe('enabled');
  });
});

describeEachDialect('webhook access', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let a: TestFacility;
  let b: TestFacility;
  let apiA: WebhooksApi;
  let apiB: WebhooksApi;
  let webhookB: any;
  let deliveryB: string;

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { dispatcher: true });
    receiver = await TestReceiver.start();
    a = await createFacility(h);
    b = await createFacility(h);
    apiA = apiOf(h, a);
    apiB = apiOf(h, b);
    await apiA.add(webhookBody(receiver.url));
    webhookB = await apiB.add(
      webhookBody(`${receiver.url}-b`, { username: 'b-user', description: 'B private' }),
    );
    const sent = await apiB.test(webhookB.id);
    expect(sent.status, sent.body).toBe(200);
    deliveryB = sent.json.delivery.id;
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  let bBefore: any;
  let receivedBefore: number;
  beforeEach(async () => {
    bBefore = (await apiB.get(webhookB.id)).json;
    receivedBefore = receiver.received.length;
  });

  it('answers every route 401 without an API key', async () => {
    for (const [route, send] of Object.entries(
      everyRoute(webhooksApi(h, b.id, undefined), webhookB.id, receiver.url),
    )) {
      const res = await send();
      expect(res.status, route).toBe(401);
      expect(res.json.error.code, route).toBe('unauthorized');
      expect(res.body, route).not.toContain('b-user');
    }
  });

  it('answers every route 401 with an unknown API key', async () => {
    for (const [route, send] of Object.entries(
      everyRoute(webhooksApi(h, b.id, 'tbk_not_a_real_key'), webhookB.id, receiver.url),
    )) {
      expect((await send()).status, route).toBe(401);
    }
  });

  it('answers every route 403 to a key without the webhooks scope', async () => {
    const readWrite = webhooksApi(h, b.id, await b.keyWith(['read', 'write']));
    for (const [route, send] of Object.entries(everyRoute(readWrite, webhookB.id, receiver.url))) {
      const res = await send();
      expect(res.status, route).toBe(403);
      expect(res.json.error.code, route).toBe('forbidden');
      expect(res.json.error.message, route).toMatch(/"webhooks" scope/);
      expect(res.body, route).not.toContain('b-user');
    }
    expect((await apiB.list()).json.meta.total_count).toBe(1);
  });

  describe("facility A's key on facility B's webhook", () => {
    it('answers 404 under B, exactly as for a facility that does not exist', async () => {
      const underB = webhooksApi(h, b.id, a.key);
      const nowhere = webhooksApi(h, 'no-such-facility', a.key);
      const routesB = webhookRoutes(underB, webhookB.id, deliveryB);
      const routesNowhere = webhookRoutes(nowhere, webhookB.id, deliveryB);
      for (const route of Object.keys(routesB) as (keyof typeof routesB)[]) {
        const res = await routesB[route]();
        expect(res.status, route).toBe(404);
        expect(res.json, route).toEqual({
          error: { code: 'not_found', message: 'facility not found' },
        });
        expect(res.body, route).toBe((await routesNowhere[route]()).body);
      }
      expect((await underB.list()).status).toBe(404);
      expect((await underB.create(webhookBody(receiver.url))).status).toBe(404);
    });

    it("answers 404 under A's own path, exactly as for an id that does not exist", async () => {
      const routesB = webhookRoutes(apiA, webhookB.id, deliveryB);
      const routesUnknown = webhookRoutes(apiA, unknownWebhookId(), deliveryB);
      for (const route of Object.keys(routesB) as (keyof typeof routesB)[]) {
        const res = await routesB[route]();
        expect(res.status, route).toBe(404);
        expect(res.json, route).toEqual({
          error: { code: 'not_found', message: 'webhook not found' },
        });
        expect(res.body, route).toBe((await routesUnknown[route]()).body);
      }
      expect(JSON.stringify((await apiA.list()).json)).not.toContain(webhookB.id);
    });

    afterEach(async () => {
      // Nothing of B changed, was deleted or was sent.
      expect((await apiB.get(webhookB.id)).json).toEqual(bBefore);
      expect(receiver.received.length).toBe(receivedBefore);
    });
  });

  it('answers 404 for a webhook id that does not exist, on every route', async () => {
    for (const [route, send] of Object.entries(
      webhookRoutes(apiB, unknownWebhookId(), deliveryB),
    )) {
      const res = await send();
      expect(res.status, route).toBe(404);
      expect(res.json.error, route).toEqual({ code: 'not_found', message: 'webhook not found' });
    }
  });

  it('answers 404 for a delivery of another webhook of the same facility', async () => {
    const other = await apiB.add(webhookBody(receiver.url));
    const res = await apiB.delivery(other.id, deliveryB);
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe('delivery not found');
    expect((await apiB.remove(other.id)).status).toBe(204);
  });
});
