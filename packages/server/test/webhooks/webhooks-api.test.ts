// The webhook settings a restaurant edits under Settings > Integration > Developers > Webhooks:
// create, list, read, change, enable/disable and delete, through the real app.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { apiOf, basicCredentials, type WebhooksApi, webhookBody } from './webhook-client.js';

const booking = { num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Ada Lovelace' };

describeEachDialect('webhook settings', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: WebhooksApi;

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { dispatcher: true });
    receiver = await TestReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });
  beforeEach(async () => {
    fac = await createFacility(h);
    api = apiOf(h, fac);
  });

  /** Sends a test trigger and answers the credentials the receiver got with it. */
  async function credentialsOfTestTrigger(id: string) {
    const before = receiver.received.length;
    const res = await api.test(id);
    expect(res.status, res.body).toBe(200);
    expect(res.json.attempt.success).toBe(true);
    expect(receiver.received).toHaveLength(before + 1);
    const got = receiver.received[before]!;
    return { path: got.path, ...basicCredentials(got.headers.authorization) };
  }

  it('creates a webhook: 201 with its settings and a whsec_ signing secret, never the password', async () => {
    const before = Date.now();
    const res = await api.create(
      webhookBody(receiver.url, {
        events: ['booking_created', 'booking_deleted'],
        description: 'Zapier: new and cancelled bookings',
      }),
    );
    expect(res.status, res.body).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^wh_/),
      facility_id: fac.id,
      url: receiver.url,
      username: 'zapier',
      kind: 'manual',
      events: ['booking_created', 'booking_deleted'],
      enabled: true,
      state: 'enabled',
      disabled_reason: null,
      disabled_at: null,
      failing_since: null,
      description: 'Zapier: new and cancelled bookings',
      // The guarantees a thin trigger allows, on by default.
      ordering: 'per_resource',
      coalesce_updates: true,
      supersede_on_delete: true,
      max_age_hours: null,
      // No rotation under way.
      signing_secret_rotation: null,
      credentials_rotation: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      last_delivery: null,
      // Nothing attempted yet.
      health: {
        state: 'new',
        failing_since: null,
        failed_attempts: 0,
        last_error: null,
        next_attempt_at: null,
        summary: 'No delivery has gone through yet',
      },
      signing_secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/),
    });
    expect(res.json).not.toHaveProperty('password');
    expect(res.json).not.toHaveProperty('password_enc');
    expect(res.body).not.toContain('s3cret');
    expect(Date.parse(res.json.created_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('gives every webhook its own id and signing secret', async () => {
    const a = await api.add(webhookBody(receiver.url));
    const b = await api.add(webhookBody(receiver.url));
    expect(a.id).not.toBe(b.id);
    expect(a.signing_secret).not.toBe(b.signing_secret);
  });

  it('shows the signing secret again on request, and it verifies the test trigger signature', async () => {
    const created = await api.add(webhookBody(receiver.url));
    const secret = await api.secret(created.id);
    expect(secret.status).toBe(200);
    expect(secret.json).toEqual({ signing_secret: created.signing_secret });
    const before = receiver.received.length;
    expect((await api.test(created.id)).status).toBe(200);
    const got = receiver.received[before]!;
    const key = Buffer.from(created.signing_secret.slice('whsec_'.length), 'base64');
    const signed = `${got.headers['webhook-id']}.${got.headers['webhook-timestamp']}.${got.body}`;
    expect(got.headers['webhook-signature']).toBe(
      `v1,${createHmac('sha256', key).update(signed).digest('base64')}`,
    );
  });

  it('gives a webhook created without a description an empty one', async () => {
    const created = await api.add(webhookBody(receiver.url));
    expect(created.description).toBe('');
  });

  it('lists the facility webhooks in the order they were added, with meta', async () => {
    const empty = await api.list();
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({ objects: [], meta: { limit: 50, offset: 0, total_count: 0 } });
    const first = await api.add(webhookBody(receiver.url, { description: 'first' }));
    h.clock.advance(1_000);
    const second = await api.add(webhookBody(receiver.url, { description: 'second' }));
    const res = await api.list();
    expect(res.status).toBe(200);
    const { signing_secret: _a, ...firstOut } = first;
    const { signing_secret: _b, ...secondOut } = second;
    expect(res.json).toEqual({
      objects: [firstOut, secondOut],
      meta: { limit: 50, offset: 0, total_count: 2 },
    });
    // Another facility's webhooks are not in this list.
    const other = apiOf(h, await createFacility(h));
    expect((await other.list()).json.meta.total_count).toBe(0);
  });

  it('pages through webhooks with limit and offset', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await api.add(webhookBody(receiver.url, { description: `#${i}` }))).id);
      h.clock.advance(1_000);
    }
    const page = await api.list('?limit=2&offset=1');
    expect(page.status, page.body).toBe(200);
    expect(page.json.objects.map((w: any) => w.id)).toEqual(ids.slice(1, 3));
    expect(page.json.meta).toEqual({ limit: 2, offset: 1, total_count: 3 });
    const bad = await api.list('?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('limit');
  });

  it('reads one webhook back exactly as it was created, less the signing secret', async () => {
    const { signing_secret: _, ...created } = await api.add(webhookBody(receiver.url));
    const res = await api.get(created.id);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(created);
  });

  it('shows the last delivery once a test trigger was sent', async () => {
    const created = await api.add(webhookBody(receiver.url));
    const sent = await api.test(created.id);
    expect(sent.status, sent.body).toBe(200);
    const res = await api.get(created.id);
    expect(res.json.last_delivery).toEqual({
      id: sent.json.delivery.id,
      event: 'booking_created',
      status: 'succeeded',
      status_code: 200,
      at: expect.any(String),
    });
  });

  it('changes url, username, events and description with PATCH, and keeps the rest', async () => {
    const created = await api.add(webhookBody(receiver.url));
    h.clock.advance(5_000);
    const changes = {
      url: `${receiver.url}-v2`,
      username: 'make.com',
      events: ['productorder_created', 'productorder_updated'],
      description: 'Make scenario',
    };
    // A new URL comes with the password (webhook-origin.test.ts).
    const res = await api.patch(created.id, { ...changes, password: 'for-the-new-url' });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ ...changes, id: created.id, enabled: true, state: 'enabled' });
    expect(res.json.created_at).toBe(created.created_at);
    expect(Date.parse(res.json.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expect(res.json).not.toHaveProperty('password');
    expect(res.json).not.toHaveProperty('signing_secret');
    expect((await api.get(created.id)).json).toEqual(res.json);
  });

  it('keeps the old password when a PATCH leaves it out, and uses a new one once given', async () => {
    const created = await api.add(webhookBody(receiver.url, { password: 'old-pässword' }));
    await api.patch(created.id, { username: 'n8n', description: 'renamed' });
    expect(await credentialsOfTestTrigger(created.id)).toEqual({
      path: '/hook',
      username: 'n8n',
      password: 'old-pässword',
    });
    const res = await api.patch(created.id, { password: 'new-pässword' });
    expect(res.status, res.body).toBe(200);
    expect(res.body).not.toContain('pässword');
    expect(await credentialsOfTestTrigger(created.id)).toMatchObject({
      username: 'n8n',
      password: 'new-pässword',
    });
  });

  it('sends a password with colons, spaces and non-ASCII letters exactly as typed', async () => {
    const password = 'a:b c:ñ€🙂';
    const created = await api.add(webhookBody(receiver.url, { username: 'Zoë', password }));
    expect(await credentialsOfTestTrigger(created.id)).toMatchObject({ username: 'Zoë', password });
  });

  it('sends new bookings to a webhook only for the events it is subscribed to after a PATCH', async () => {
    const created = await api.add(webhookBody(receiver.url, { events: ['booking_created'] }));
    const book = () =>
      call(h, {
        method: 'POST',
        url: `/v1/facility/${fac.id}/bookings`,
        key: fac.key,
        body: booking,
      });
    expect((await book()).status).toBe(201);
    await api.patch(created.id, { events: ['booking_updated'] });
    const second = await book();
    const updated = await call(h, {
      method: 'PATCH',
      url: `/v1/facility/${fac.id}/bookings/${second.json.id}`,
      key: fac.key,
      body: { num: 3 },
    });
    expect(updated.status, updated.body).toBe(200);
    const log = await api.deliveries(created.id);
    expect(log.json.objects.map((d: any) => d.event).sort()).toEqual([
      'booking_created',
      'booking_updated',
    ]);
  });

  it('disables a webhook with enabled: false, showing why, and re-enables it with enabled: true', async () => {
    const created = await api.add(webhookBody(receiver.url));
    const off = await api.patch(created.id, { enabled: false });
    expect(off.status, off.body).toBe(200);
    expect(off.json).toMatchObject({ enabled: false, state: 'disabled' });
    expect(off.json.disabled_reason).toEqual(expect.stringMatching(/\w/));
    expect(off.json.disabled_at).toEqual(expect.any(String));
    expect((await api.get(created.id)).json.state).toBe('disabled');
    const on = await api.patch(created.id, { enabled: true });
    expect(on.status, on.body).toBe(200);
    expect(on.json).toMatchObject({
      enabled: true,
      state: 'enabled',
      disabled_reason: null,
      disabled_at: null,
    });
  });

  it('creates a webhook switched off when asked to, with a reason', async () => {
    const created = await api.add(webhookBody(receiver.url, { enabled: false }));
    expect(created).toMatchObject({ enabled: false, state: 'disabled' });
    expect(created.disabled_reason).toEqual(expect.stringMatching(/\w/));
  });

  it('sends no booking events to a disabled webhook', async () => {
    const created = await api.add(webhookBody(receiver.url));
    await api.patch(created.id, { enabled: false });
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/bookings`,
      key: fac.key,
      body: booking,
    });
    expect(res.status).toBe(201);
    expect((await api.deliveries(created.id)).json.meta.total_count).toBe(0);
  });

  it('deletes a webhook: 204 and an empty body, then 404 everywhere', async () => {
    const created = await api.add(webhookBody(receiver.url));
    await api.test(created.id);
    const res = await api.remove(created.id);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    for (const again of [
      await api.get(created.id),
      await api.patch(created.id, { description: 'x' }),
      await api.remove(created.id),
      await api.test(created.id),
      await api.deliveries(created.id),
    ]) {
      expect(again.status).toBe(404);
      expect(again.json.error).toEqual({ code: 'not_found', message: 'webhook not found' });
    }
    expect((await api.list()).json.meta.total_count).toBe(0);
  });
});
