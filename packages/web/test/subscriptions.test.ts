// A REST-hook subscription (made by Zapier or Make through the API) in the settings UI: listed
// beside a hand-made webhook, marked as a subscription, with no Edit, and deletable there.
import { beforeAll, describe, expect, it } from 'vitest';
import { login, MOBILE, screenshot } from './support/browser.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';

describe('subscriptions in the settings UI', () => {
  const ui = useUi();
  let zapUrl: string;
  let subscriptionId: string;

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-oak', name: 'The Oak', plan: 'premium' }, [
      { email: 'owner@the-oak.example', password: PASSWORD, role: 'owner' },
    ]);
    await ui.server.operator('POST', '/v1/facility/the-oak/webhooks', {
      url: `${ui.receiver.url}?by=hand`,
      username: 'n8n',
      password: 's3cret',
      events: ['booking_created'],
    });
    // As Zapier's subscribe step does when a Zap is turned on: a URL with its own secret.
    zapUrl = `${ui.receiver.url}?zap=a1b2c3`;
    const sub = await ui.server.operator<{ id: string }>(
      'POST',
      '/v1/facility/the-oak/subscriptions',
      { target_url: zapUrl, event: 'booking_created' },
    );
    subscriptionId = sub.id;
  });

  it('lists a subscription beside a hand-made webhook, marked "Subscription (Zapier/Make)", and deletes it', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, 'owner@the-oak.example', PASSWORD);
    await p.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();

    const sub = p.getByRole('article', { name: zapUrl });
    await sub.getByText('Subscription (Zapier/Make)').waitFor();
    await sub.getByText('Enabled').waitFor();
    await sub.getByText('None (the URL carries its secret)').waitFor();
    expect(await sub.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await sub.getByRole('listitem').allTextContents()).toEqual(['booking_created']);

    const manual = p.getByRole('article', { name: `${ui.receiver.url}?by=hand` });
    await manual.getByRole('link', { name: 'Edit' }).waitFor();
    expect(await manual.getByText('Subscription (Zapier/Make)').count()).toBe(0);
    await screenshot(p, 'webhooks-subscription-desktop');

    await sub.getByRole('button', { name: 'Delete' }).click();
    await sub.getByRole('button', { name: 'Delete webhook' }).click();
    await p.getByRole('article', { name: zapUrl }).waitFor({ state: 'detached' });
    await manual.waitFor();
    const list = await ui.server.operator<{ objects: { id: string }[] }>(
      'GET',
      '/v1/facility/the-oak/webhooks',
    );
    expect(list.objects.map((w) => w.id)).not.toContain(subscriptionId);
    expect(t.errors).toEqual([]);
  });

  it('shows the mark on a 375 px screen too', async () => {
    await ui.server.operator('POST', '/v1/facility/the-oak/subscriptions', {
      target_url: `${ui.receiver.url}?scenario=make-42`,
      event: 'productorder_created',
    });
    const t = await ui.page(MOBILE);
    const p = t.page;
    await login(p, ui.server.url, 'owner@the-oak.example', PASSWORD);
    const card = p.getByRole('article', { name: `${ui.receiver.url}?scenario=make-42` });
    await card.getByText('Subscription (Zapier/Make)').waitFor();
    await screenshot(p, 'webhooks-subscription-mobile');
    const overflow = await p.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
