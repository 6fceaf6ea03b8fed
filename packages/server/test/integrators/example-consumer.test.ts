// End to end: a booking created through the API → our dispatcher sends the trigger →
// examples/consumer, running as its own process, verifies it, fetches the details over HTTP
// and prints them.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';
import { booking, facilityApi, order, serve } from './integrator-kit.js';

const CONSUMER = fileURLToPath(
  new URL('../../../../examples/consumer/src/main.js', import.meta.url),
);

interface Consumer {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

async function startConsumer(env: Record<string, string>): Promise<Consumer> {
  const child = spawn(process.execPath, [CONSUMER], {
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  let done = false;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      done = true;
      resolve();
    }),
  );
  let url: string | undefined;
  for (const deadline = Date.now() + 15_000; !url; ) {
    if (done || Date.now() > deadline) throw new Error(`the consumer did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
    url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  }
  return {
    child,
    url,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describeEachDialect('examples/consumer receiving real triggers', (dialect) => {
  let h: Harness;
  let fac: TestFacility;
  let kit: ReturnType<typeof facilityApi>;
  let consumer: Consumer;
  let webhookId: string;

  beforeAll(async () => {
    h = await createHarness(dialect, { pollIntervalMs: 60_000 }, { dispatcher: true });
    const baseUrl = await serve(h);
    fac = await createFacility(h);
    kit = facilityApi(h, fac);
    // The signing secret comes with the webhook, and the webhook needs the consumer's URL:
    // create it pointing nowhere, start the consumer with its secret, then point it there.
    const webhook = await kit.create('/webhooks', {
      url: 'http://127.0.0.1:9/not-yet',
      username: 'consumer',
      password: 'pä:ss wört',
      events: ['booking_created', 'booking_deleted', 'productorder_created'],
    });
    webhookId = webhook.id;
    consumer = await startConsumer({
      TABLEHOOKS_URL: baseUrl,
      TABLEHOOKS_API_KEY: await fac.keyWith(['read']),
      WEBHOOK_USERNAME: 'consumer',
      WEBHOOK_PASSWORD: 'pä:ss wört',
      WEBHOOK_SECRET: webhook.signing_secret,
    });
    // A new URL comes with the password (issue #13: it is only sent where it went before).
    const moved = await kit.api('PATCH', `/webhooks/${webhookId}`, {
      url: consumer.url,
      password: 'pä:ss wört',
    });
    expect(moved.status, moved.body).toBe(200);
  });
  afterAll(async () => {
    await consumer?.stop();
    await h.close();
  });

  it("prints a new booking's details, fetched from the API", async () => {
    const created = await kit.create('/bookings', booking);
    await expect
      .poll(() => consumer.output(), { timeout: 10_000 })
      .toContain(`BOOKING_CREATED booking ${created.id} at ${fac.id} [msg_`);
    expect(consumer.output()).toContain(
      '  Ada Lovelace, party of 4, 2026-12-24T19:30:00+01:00 for 120 min, status confirmed, table 12',
    );
    await expect.poll(async () => (await kit.deliveries(webhookId))[0]?.status).toBe('succeeded');
  });

  it("prints a new order's items and total", async () => {
    const created = await kit.create('/productorders', order);
    await expect
      .poll(() => consumer.output(), { timeout: 10_000 })
      .toContain(`PRODUCTORDER_CREATED order ${created.id} at ${fac.id}`);
    expect(consumer.output()).toContain(
      '  Grace Hopper, pickup: 2 × Fish & chips, total 29.00 EUR, status received',
    );
  });

  it('prints that a deleted booking no longer exists', async () => {
    const created = await kit.create('/bookings', booking);
    await kit.api('DELETE', `/bookings/${created.id}`);
    const gone = new RegExp(
      `BOOKING_DELETED booking ${created.id} at \\S+ \\[msg_\\S+\\]\\n  no longer exists`,
    );
    await expect.poll(() => consumer.output(), { timeout: 10_000 }).toMatch(gone);
  });

  it('ignores a resent delivery it has already handled, by its webhook-id', async () => {
    const [first] = (await kit.deliveries(webhookId)).filter((d) => d.status === 'succeeded');
    const resent = await kit.api('POST', `/webhooks/${webhookId}/deliveries/${first.id}/resend`);
    expect(resent.status, resent.body).toBeLessThan(300);
    await expect
      .poll(() => consumer.output(), { timeout: 10_000 })
      .toContain(`${first.id}: already handled, ignored`);
  });

  it('refuses a request without the credentials and prints nothing for it', async () => {
    const before = consumer.output();
    const res = await fetch(consumer.url, {
      method: 'POST',
      body: `{"id": 1, "facility_id": "${fac.id}", "action": "BOOKING_CREATED"}`,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(consumer.output()).toBe(before);
  });
});
