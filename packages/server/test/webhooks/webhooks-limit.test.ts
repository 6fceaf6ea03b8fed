// A facility may have only so many webhooks (maxWebhooksPerFacility), even under concurrency.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { apiOf, webhookBody } from './webhook-client.js';

describeEachDialect('the number of webhooks per facility', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;

  beforeAll(async () => {
    h = await createHarness(dialect, { maxWebhooksPerFacility: 2 });
    receiver = await TestReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('refuses a third webhook with 409 and a message naming the limit', async () => {
    const fac = await createFacility(h);
    const api = apiOf(h, fac);
    await api.add(webhookBody(receiver.url));
    await api.add(webhookBody(receiver.url));
    const third = await api.create(webhookBody(receiver.url));
    expect(third.status).toBe(409);
    expect(third.json.error.code).toBe('conflict');
    expect(third.json.error.message).toMatch(/at most 2 webhooks/);
    expect((await api.list()).json.meta.total_count).toBe(2);
  });

  it('counts each facility on its own, and frees a place when a webhook is deleted', async () => {
    const fac = await createFacility(h);
    const api = apiOf(h, fac);
    const first = await api.add(webhookBody(receiver.url));
    await api.add(webhookBody(receiver.url));
    await apiOf(h, await createFacility(h)).add(webhookBody(receiver.url));
    expect((await api.remove(first.id)).status).toBe(204);
    await api.add(webhookBody(receiver.url));
  });

  it('holds the limit when several creates arrive at once', async () => {
    const api = apiOf(h, await createFacility(h));
    const results = await Promise.all(
      Array.from({ length: 6 }, () => api.create(webhookBody(receiver.url))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 409, 409, 409, 409]);
    expect((await api.list()).json.meta.total_count).toBe(2);
  });
});
