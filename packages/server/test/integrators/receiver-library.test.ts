// Real triggers from our dispatcher, verified on the receiving side: by a receiver built on
// @tablehooks/receiver's node:http middleware, and by the official Standard Webhooks and Svix
// verifiers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  nodeReceiver,
  type ReceiverOptions,
  verifyRequest,
  type WebhookEvent,
} from '@tablehooks/receiver';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { booking, facilityApi } from './integrator-kit.js';

const USERNAME = 'zäpier';
// UTF-8 and colons: what a careless Basic Auth parser gets wrong.
const PASSWORD = 'pä:ss:wört ✓';

/** A receiver built only from the library, as an integrator would write it. */
async function libraryReceiver(options: () => ReceiverOptions) {
  const events: WebhookEvent[] = [];
  const errors: unknown[] = [];
  // Options are read per request, so the test can learn the secret after choosing the URL.
  const server: Server = createServer((req, res) =>
    nodeReceiver({ ...options(), onError: (e) => errors.push(e) }, (event) => {
      events.push(event);
    })(req, res),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tablehooks`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, events, errors, close };
}

describeEachDialect(
  'triggers verified by @tablehooks/receiver and the official verifiers',
  (dialect) => {
    let h: Harness;
    let raw: TestReceiver;
    let lib: Awaited<ReturnType<typeof libraryReceiver>>;
    let expected: ReceiverOptions = { username: USERNAME, password: PASSWORD, secret: null };
    let fac: Awaited<ReturnType<typeof createFacility>>;
    let kit: ReturnType<typeof facilityApi>;

    beforeAll(async () => {
      // A one-minute safety-net poll: what arrives within seconds was sent by the commit's
      // wake-up. Retries an hour away: a refused delivery stays at one attempt while we look.
      h = await createHarness(
        dialect,
        { pollIntervalMs: 60_000, retrySchedule: [3600] },
        { dispatcher: true },
      );
      raw = await TestReceiver.start();
      lib = await libraryReceiver(() => expected);
      fac = await createFacility(h);
      kit = facilityApi(h, fac);
    });
    afterAll(async () => {
      await lib.close();
      await raw.close();
      await h.close();
    });

    const addWebhook = (url: string, password = PASSWORD) =>
      kit.create('/webhooks', { url, username: USERNAME, password, events: ['booking_created'] });

    it("passes the library's node:http receiver: Basic Auth, signature and a typed trigger", async () => {
      const webhook = await addWebhook(lib.url);
      expected = { username: USERNAME, password: PASSWORD, secret: webhook.signing_secret };
      const created = await kit.create('/bookings', booking);
      await expect.poll(() => lib.events.length, { timeout: 10_000 }).toBe(1);
      const [delivery] = await kit.deliveries(webhook.id);
      expect(lib.events[0]).toEqual({
        trigger: { id: created.id, facility_id: fac.id, action: 'BOOKING_CREATED' },
        webhookId: delivery.id,
        timestamp: expect.any(Number),
        test: false,
      });
      await expect.poll(async () => (await kit.deliveries(webhook.id))[0].status).toBe('succeeded');
      expect(lib.errors).toEqual([]);
      await kit.api('DELETE', `/webhooks/${webhook.id}`);
    });

    it('verifies the same raw request with standardwebhooks, svix and the library', async () => {
      const webhook = await addWebhook(raw.url);
      const created = await kit.create('/bookings', booking);
      await raw.waitFor(1);
      const { headers, body } = raw.received[0]!;
      const asStrings = headers as Record<string, string>;
      const trigger = { id: created.id, facility_id: fac.id, action: 'BOOKING_CREATED' };
      expect(new StandardWebhook(webhook.signing_secret).verify(body, asStrings)).toEqual(trigger);
      expect(new SvixWebhook(webhook.signing_secret).verify(body, asStrings)).toEqual(trigger);
      const options = { username: USERNAME, password: PASSWORD, secret: webhook.signing_secret };
      expect(verifyRequest(options, { headers, rawBody: body }).trigger).toEqual(trigger);
      // And none of the three accepts it under another webhook's secret.
      const other = await addWebhook(raw.url);
      expect(() => new StandardWebhook(other.signing_secret).verify(body, asStrings)).toThrow();
      expect(() => new SvixWebhook(other.signing_secret).verify(body, asStrings)).toThrow();
      expect(() =>
        verifyRequest({ ...options, secret: other.signing_secret }, { headers, rawBody: body }),
      ).toThrow(/no signature matches/);
      await kit.api('DELETE', `/webhooks/${webhook.id}`);
      await kit.api('DELETE', `/webhooks/${other.id}`);
    });

    it('is answered 401 by the library when the password differs, and tablehooks logs and retries it', async () => {
      const webhook = await addWebhook(lib.url, 'an old password');
      expected = { username: USERNAME, password: PASSWORD, secret: webhook.signing_secret };
      const before = lib.events.length;
      await kit.create('/bookings', booking);
      await expect
        .poll(async () => (await kit.deliveries(webhook.id))[0]?.last_status_code, {
          timeout: 10_000,
        })
        .toBe(401);
      const [delivery] = await kit.deliveries(webhook.id);
      expect(delivery).toMatchObject({ status: 'pending', attempt_count: 1 });
      const detail = await kit.api('GET', `/webhooks/${webhook.id}/deliveries/${delivery.id}`);
      expect(JSON.parse(detail.json.attempts[0].response_body)).toEqual({
        error: { code: 'wrong_credentials', message: 'wrong user name or password' },
      });
      expect(lib.events.length).toBe(before);
    });
  },
);
