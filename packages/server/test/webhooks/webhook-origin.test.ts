// Issue #13 item 3: the write-only password could be exfiltrated by pointing the webhook at
// another host and sending a test. A new URL now needs the password again: another scheme,
// host or port, and also another path or query, since the usual receivers (hooks.zapier.com,
// hook.make.com, webhook.site) serve many tenants on one origin. The same URL spelt
// otherwise needs nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { type WebhooksApi, webhookBody, webhooksApi } from './webhook-client.js';

const PASSWORD = 'the-stored-password';
const basicOf = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describeEachDialect('giving a webhook a new URL', (dialect) => {
  let h: Harness;
  let fac: TestFacility;
  let owner: TestReceiver;
  let thief: TestReceiver;
  let api: WebhooksApi;
  beforeAll(async () => {
    // Test triggers are sent by a dispatcher, as in `serve`.
    h = await createHarness(dialect, {}, { dispatcher: true });
    [owner, thief] = await Promise.all([TestReceiver.start(), TestReceiver.start()]);
    fac = await createFacility(h);
    // What the attacker holds: a key that may manage webhooks, nothing else.
    api = webhooksApi(h, fac.id, await fac.keyWith(['webhooks']));
  });
  afterAll(async () => {
    await Promise.all([owner.close(), thief.close()]);
    await h.close();
  });

  const origin = (r: TestReceiver) => new URL(r.url).origin;

  it('refuses a new host, port, scheme, path or query without the password, and sends it nowhere new', async () => {
    const hook = await api.add(webhookBody(owner.url, { password: PASSWORD }));
    const ownerPort = new URL(owner.url).port;
    for (const url of [
      `${origin(thief)}/hook`,
      `https://127.0.0.1:${ownerPort}/hook`,
      `http://127.0.0.1:${Number(ownerPort) + 1}/hook`,
      `http://127.0.0.1/hook`,
      // Another tenant of the same receiver.
      `${origin(owner)}/hooks/catch/someone-else`,
      `${origin(owner)}/hook?tenant=2`,
      `${origin(owner)}/hook/`,
    ]) {
      for (const body of [{ url }, { url, username: 'zapier' }, { url, description: 'x' }]) {
        const res = await api.patch(hook.id, body);
        expect(res.status, `${JSON.stringify(body)}: ${res.body}`).toBe(400);
        expect(res.json.error).toMatchObject({ code: 'validation_failed', field: 'password' });
      }
    }
    expect((await api.get(hook.id)).json.url).toBe(owner.url);
    const test = await api.test(hook.id);
    expect(test.status, test.body).toBe(200);
    expect(thief.received).toHaveLength(0);
    expect(owner.received.at(-1)?.headers.authorization).toBe(basicOf('zapier', PASSWORD));
  });

  it('keeps the password for the same URL spelt another way', async () => {
    const hook = await api.add(webhookBody(owner.url, { password: PASSWORD }));
    const port = new URL(owner.url).port;
    for (const url of [
      `HTTP://127.0.0.1:${port}/hook`,
      `http://0x7f.0.0.1:${port}/hook`,
      `http://127.1:${port}/hook`,
      `http://127.0.0.1:${port}/./hook`,
    ]) {
      const res = await api.patch(hook.id, { url });
      expect(res.status, `${url}: ${res.body}`).toBe(200);
    }
    const before = owner.received.length;
    expect((await api.test(hook.id)).status).toBe(200);
    expect(owner.received.length).toBe(before + 1);
    expect(owner.received.at(-1)?.path).toBe('/hook');
    expect(owner.received.at(-1)?.headers.authorization).toBe(basicOf('zapier', PASSWORD));
  });

  it('moves to another origin when the password comes along', async () => {
    const hook = await api.add(webhookBody(owner.url, { password: PASSWORD }));
    const res = await api.patch(hook.id, { url: thief.url, password: 'the-new-password' });
    expect(res.status, res.body).toBe(200);
    expect(res.json.url).toBe(thief.url);
    expect((await api.test(hook.id)).status).toBe(200);
    expect(thief.received.at(-1)?.headers.authorization).toBe(
      basicOf('zapier', 'the-new-password'),
    );
  });
});
