// REST-hook subscriptions (Zapier, Make): subscribe, receive real triggers, unsubscribe, and
// the sample route the platforms read while a trigger is set up.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { basicCredentials } from '../webhooks/webhook-client.js';

const booking = (name = 'Ada Lovelace') => ({ num: 2, date: '2026-12-24T19:30:00+01:00', name });
const order = {
  type: 'pickup',
  items: [{ product_id: 'p1', name: 'Fish & chips', quantity: 1, unit_price: 1450 }],
  name: 'Grace Hopper',
};

describeEachDialect('REST-hook subscriptions', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let f: TestFacility;

  beforeAll(async () => {
    [h, receiver] = await Promise.all([
      createHarness(dialect, { maxWebhooksPerFacility: 3 }, { dispatcher: true }),
      TestReceiver.start(),
    ]);
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const at = (fac: TestFacility, path: string) => `/v1/facility/${fac.id}${path}`;
  const api = (
    fac: TestFacility,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    key = fac.key,
  ) => call(h, { method, url: at(fac, path), key, body });
  const subscribe = (fac: TestFacility, body: Record<string, unknown>) =>
    api(fac, 'POST', '/subscriptions', body);
  /** Requests the receiver got on this path (the query string tells subscriptions apart). */
  const receivedAt = (path: string) => receiver.received.filter((r) => r.path === path);
  let paths = 0;
  const newPath = () => `/hook?sub=${dialect}-${++paths}`;
  const urlFor = (path: string) => new URL(path, receiver.url).toString();

  beforeAll(async () => {
    f = await createFacility(h);
  });

  it('subscribes a target URL to one event, answers 201 with its id, and lists it as a subscription', async () => {
    const fac = await createFacility(h);
    const res = await subscribe(fac, { target_url: urlFor(newPath()), event: 'booking_created' });
    expect(res.status, res.body).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^wh_/),
      facility_id: fac.id,
      target_url: expect.stringContaining('/hook?sub='),
      event: 'booking_created',
      basic_auth: false,
      created_at: expect.any(String),
    });
    const list = await api(fac, 'GET', '/webhooks');
    expect(list.json.objects).toEqual([
      expect.objectContaining({
        id: res.json.id,
        kind: 'subscription',
        events: ['booking_created'],
        username: '',
        state: 'enabled',
      }),
    ]);
  });

  it('POSTs a booking to the subscribed URL in the exact body, signed, without an Authorization header', async () => {
    const path = newPath();
    const sub = await subscribe(f, { target_url: urlFor(path), event: 'booking_created' });
    expect(sub.status, sub.body).toBe(201);
    const created = await api(f, 'POST', '/bookings', booking());
    await expect.poll(() => receivedAt(path).length, { timeout: 10_000 }).toBe(1);
    const got = receivedAt(path)[0]!;
    expect(got.body).toBe(
      `{"id": ${created.json.id}, "facility_id": "${f.id}", "action": "BOOKING_CREATED"}`,
    );
    expect(got.headers.authorization).toBeUndefined();
    expect(got.headers['webhook-signature']).toMatch(/^v1,/);
    // The same delivery log as any webhook (the outcome is recorded just after the answer).
    const log = async () =>
      (await api(f, 'GET', `/webhooks/${sub.json.id}/deliveries`)).json.objects;
    await expect
      .poll(log)
      .toEqual([expect.objectContaining({ resource_id: created.json.id, status: 'succeeded' })]);
    await api(f, 'DELETE', `/subscriptions/${sub.json.id}`);
  });

  it('sends Basic Auth when subscribed with credentials, and keeps the password encrypted and unreturned', async () => {
    const fac = await createFacility(h);
    const path = newPath();
    const password = 'sub-pässword-3f9a';
    const sub = await subscribe(fac, {
      target_url: urlFor(path),
      event: 'productorder_created',
      username: 'make',
      password,
    });
    expect(sub.status, sub.body).toBe(201);
    expect(sub.json.basic_auth).toBe(true);
    expect(sub.body).not.toContain(password);
    await api(fac, 'POST', '/productorders', order);
    await expect.poll(() => receivedAt(path).length, { timeout: 10_000 }).toBe(1);
    expect(basicCredentials(receivedAt(path)[0]!.headers.authorization)).toEqual({
      username: 'make',
      password,
    });
    const row = await h.store.db
      .selectFrom('webhooks')
      .select('password_enc')
      .where('id', '=', sub.json.id)
      .executeTakeFirstOrThrow();
    expect(row.password_enc).not.toContain(password);
    expect((await api(fac, 'GET', `/webhooks/${sub.json.id}`)).body).not.toContain(password);
  });

  it('sends nothing more once unsubscribed, and answers 404 for an unknown or already removed subscription', async () => {
    const fac = await createFacility(h);
    const gone = newPath();
    const kept = newPath();
    const a = await subscribe(fac, { target_url: urlFor(gone), event: 'booking_created' });
    const b = await subscribe(fac, { target_url: urlFor(kept), event: 'booking_created' });
    expect((await api(fac, 'DELETE', `/subscriptions/${a.json.id}`)).status).toBe(204);
    await api(fac, 'POST', '/bookings', booking());
    // The kept subscription's trigger is the sentinel: by then the other one would be in too.
    await expect.poll(() => receivedAt(kept).length, { timeout: 10_000 }).toBe(1);
    expect(receivedAt(gone)).toEqual([]);
    const again = await api(fac, 'DELETE', `/subscriptions/${a.json.id}`);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('not_found');
    expect((await api(fac, 'DELETE', '/subscriptions/wh_nothing')).status).toBe(404);
    expect((await api(fac, 'GET', '/webhooks')).json.objects.map((w: any) => w.id)).toEqual([
      b.json.id,
    ]);
  });

  it('leaves a hand-made webhook alone when its id is sent to unsubscribe', async () => {
    const fac = await createFacility(h);
    const hook = await api(fac, 'POST', '/webhooks', {
      url: urlFor(newPath()),
      username: 'u',
      password: 'p',
      events: ['booking_created'],
    });
    const res = await api(fac, 'DELETE', `/subscriptions/${hook.json.id}`);
    expect(res.status).toBe(404);
    expect((await api(fac, 'GET', `/webhooks/${hook.json.id}`)).json.kind).toBe('manual');
  });

  it('can be deleted like any webhook', async () => {
    const fac = await createFacility(h);
    const sub = await subscribe(fac, { target_url: urlFor(newPath()), event: 'booking_updated' });
    expect((await api(fac, 'DELETE', `/webhooks/${sub.json.id}`)).status).toBe(204);
    expect((await api(fac, 'DELETE', `/subscriptions/${sub.json.id}`)).status).toBe(404);
  });

  it('samples the latest triggers of an event, newest first, in the exact body format', async () => {
    const fac = await createFacility(h);
    const ids: number[] = [];
    for (const name of ['First', 'Second', 'Third']) {
      ids.push((await api(fac, 'POST', '/bookings', booking(name))).json.id);
    }
    await api(fac, 'POST', '/productorders', order);
    const res = await api(fac, 'GET', '/subscriptions/sample?event=booking_created&limit=2');
    expect(res.status, res.body).toBe(200);
    expect(res.json).toEqual([
      { id: ids[2], facility_id: fac.id, action: 'BOOKING_CREATED' },
      { id: ids[1], facility_id: fac.id, action: 'BOOKING_CREATED' },
    ]);
    for (const t of res.json) expect(Object.keys(t)).toEqual(['id', 'facility_id', 'action']);
    const all = await api(fac, 'GET', '/subscriptions/sample?event=booking_created');
    expect(all.json.map((t: any) => t.id)).toEqual([...ids].reverse());
    const orders = await api(fac, 'GET', '/subscriptions/sample?event=productorder_created');
    expect(orders.json).toHaveLength(1);
    expect(orders.json[0].action).toBe('PRODUCTORDER_CREATED');
  });

  it('samples one example with id 0 when the facility has had no such event', async () => {
    const fac = await createFacility(h);
    const res = await api(fac, 'GET', '/subscriptions/sample?event=productorder_deleted');
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ id: 0, facility_id: fac.id, action: 'PRODUCTORDER_DELETED' }]);
  });

  it.each([
    ['a missing event', ''],
    ['an unknown event', '?event=booking_moved'],
    ['a limit over 100', '?event=booking_created&limit=101'],
  ])('answers the sample with a 400 naming the parameter for %s', async (_what, query) => {
    const res = await api(f, 'GET', `/subscriptions/sample${query}`);
    expect(res.status).toBe(400);
    expect(res.json.error.field).toBe(query.includes('limit') ? 'limit' : 'event');
  });

  it.each([
    ['a private address', 'http://10.1.2.3/hook'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['a URL that is no URL', 'not a url'],
    ['a non-HTTP scheme', 'ftp://127.0.0.1/hook'],
  ])('refuses a target_url at %s with a 400 naming target_url', async (_what, url) => {
    const res = await subscribe(f, { target_url: url, event: 'booking_created' });
    expect(res.status, res.body).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'validation_failed', field: 'target_url' });
  });

  it.each([
    ['a username without a password', { username: 'zap' }, 'password'],
    ['a password without a username', { password: 'secret' }, 'username'],
    ['an unknown field', { url: 'https://example.com' }, 'url'],
  ])('refuses %s with a 400 naming the field', async (_what, extra, field) => {
    const res = await subscribe(f, {
      target_url: urlFor(newPath()),
      event: 'booking_created',
      ...extra,
    });
    expect(res.status, res.body).toBe(400);
    expect(res.json.error.field).toBe(field);
  });

  it('refuses a facility on the free plan with a 403, for subscribing and for the sample', async () => {
    const free = await createFacility(h, { plan: 'free' });
    const sub = await subscribe(free, { target_url: urlFor(newPath()), event: 'booking_created' });
    expect(sub.status).toBe(403);
    expect(sub.json.error.code).toBe('premium_required');
    const sample = await api(free, 'GET', '/subscriptions/sample?event=booking_created');
    expect(sample.status).toBe(403);
    expect(sample.json.error.code).toBe('premium_required');
  });

  it('counts subscriptions toward the per-facility webhook limit', async () => {
    const fac = await createFacility(h);
    for (let i = 0; i < 3; i++) {
      const res = await subscribe(fac, { target_url: urlFor(newPath()), event: 'booking_created' });
      expect(res.status, res.body).toBe(201);
    }
    const over = await subscribe(fac, { target_url: urlFor(newPath()), event: 'booking_created' });
    expect(over.status).toBe(409);
    expect(over.json.error.code).toBe('conflict');
  });

  it('needs the webhooks scope for subscribing, unsubscribing and the sample', async () => {
    const fac = await createFacility(h);
    const sub = await subscribe(fac, { target_url: urlFor(newPath()), event: 'booking_created' });
    const key = await fac.keyWith(['read', 'write']);
    const answers = await Promise.all([
      api(
        fac,
        'POST',
        '/subscriptions',
        { target_url: urlFor('/x'), event: 'booking_created' },
        key,
      ),
      api(fac, 'DELETE', `/subscriptions/${sub.json.id}`, undefined, key),
      api(fac, 'GET', '/subscriptions/sample?event=booking_created', undefined, key),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(403);
      expect(a.json.error.message).toMatch(/webhooks/);
    }
  });

  it("answers another facility's subscription with 404, as if it did not exist", async () => {
    const other = await createFacility(h);
    const sub = await subscribe(other, { target_url: urlFor(newPath()), event: 'booking_created' });
    const res = await api(f, 'DELETE', `/subscriptions/${sub.json.id}`);
    expect(res.status).toBe(404);
    expect((await api(other, 'GET', `/webhooks/${sub.json.id}`)).status).toBe(200);
  });

  it('documents the three routes, the optional credentials and the bare-array sample in OpenAPI', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const base = '/v1/facility/{facility_id}/subscriptions';
    expect(Object.keys(doc.paths[base])).toEqual(['post']);
    expect(Object.keys(doc.paths[`${base}/{subscription_id}`])).toEqual(['delete']);
    expect(Object.keys(doc.paths[`${base}/sample`])).toEqual(['get']);
    const body = doc.paths[base].post.requestBody.content['application/json'].schema;
    expect(body.required.sort()).toEqual(['event', 'target_url']);
    expect(body.properties.password.writeOnly).toBe(true);
    const sample = doc.paths[`${base}/sample`].get;
    expect(sample.parameters.find((p: any) => p.name === 'event')).toMatchObject({
      in: 'query',
      required: true,
    });
    expect(sample.responses['200'].content['application/json'].schema.type).toBe('array');
    const webhook = doc.paths['/v1/facility/{facility_id}/webhooks/{webhook_id}'].get;
    const props = webhook.responses['200'].content['application/json'].schema.properties;
    expect(props.kind).toBeDefined();
  });
});
