// The help page's path, end to end: log in, Settings > Integration > Developers > Webhooks,
// '+ Add webhook' pointing at a real receiver, a booking made in the UI, and its delivery
// in the log — then a receiver that fails, and Resend once it is back.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, login, MOBILE, screenshot } from './support/browser.js';
import { TestReceiver } from './support/receiver.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';
const WEBHOOKS = '/settings/integration/developers/webhooks';

describe('webhooks in the settings UI', () => {
  const ui = useUi();

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-fish', name: 'The Fish', plan: 'premium' }, [
      { email: 'owner@the-fish.example', password: PASSWORD, role: 'owner' },
    ]);
    await createFacility(ui.server, { id: 'the-crab', name: 'Crab Shack', plan: 'premium' }, [
      { email: 'owner@the-crab.example', password: PASSWORD, role: 'owner' },
    ]);
  });

  async function addWebhook(p: Page, url: string, events: string[]) {
    await p.getByRole('link', { name: '+ Add webhook' }).click();
    await p.getByRole('heading', { name: 'Add webhook', level: 1 }).waitFor();
    await p.getByLabel('Target URL').fill(url);
    await p.getByLabel('Username').fill('zapier');
    await p.getByLabel('Password').fill('s3cret');
    for (const e of events) await p.getByLabel(e).check();
    await p.getByLabel('Description (optional)').fill('Zapier → Google Sheets');
  }

  async function createBooking(p: Page, name: string): Promise<number> {
    await p
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Bookings' })
      .click();
    await p.getByRole('button', { name: '+ New booking' }).click();
    await p.getByLabel('Guest name').fill(name);
    await p.getByLabel('Party size').fill('4');
    await p.getByRole('button', { name: 'Create booking' }).click();
    const notice = p.getByText(/Booking #\d+ created/);
    await notice.waitFor();
    return Number(/#(\d+)/.exec((await notice.textContent()) ?? '')![1]);
  }

  async function openLog(p: Page, url: string) {
    await p
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings' })
      .click();
    const card = p.getByRole('article', { name: url });
    await card.getByRole('link', { name: 'Delivery log' }).click();
    await p.getByRole('heading', { name: 'Delivery log', level: 1 }).waitFor();
  }

  it('logs in, adds a webhook to a real receiver, and shows a booking delivered in the log', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, 'owner@the-fish.example', PASSWORD);

    // Where the help page says: Settings > Integration > Developers > Webhooks.
    await p.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    expect(new URL(p.url()).pathname).toBe(WEBHOOKS);
    const crumbs = await p
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('listitem')
      .allTextContents();
    expect(crumbs.map((c) => c.trim())).toEqual([
      'Settings',
      'Integration',
      'Developers',
      'Webhooks',
    ]);
    await p.getByText('No webhooks yet.').waitFor();
    await screenshot(p, 'webhooks-empty-desktop');

    await addWebhook(p, ui.receiver.url, ['booking_created', 'booking_updated', 'booking_deleted']);
    // The six events, grouped as on the help page.
    const groups = await p.locator('fieldset.event-group legend').allTextContents();
    expect(groups.map((g) => g.replace(/\s+/g, ' ').trim())).toEqual([
      'Reservations (booking)',
      'Online orders (productorder)',
    ]);
    expect(await p.locator('fieldset.event-group input[type=checkbox]').count()).toBe(6);
    await screenshot(p, 'webhook-form-desktop');
    await p.getByRole('button', { name: 'Add webhook', exact: true }).click();

    await p.getByText(/Webhook added\./).waitFor();
    const card = p.getByRole('article', { name: ui.receiver.url });
    await card.getByText('Enabled').waitFor();
    await card.getByText('No deliveries yet').waitFor();
    expect(await card.getByRole('listitem').allTextContents()).toEqual([
      'booking_created',
      'booking_updated',
      'booking_deleted',
    ]);

    // 'Send test' answers inline with the attempt.
    await card.getByRole('button', { name: 'Send test' }).click();
    await card.getByText(/Test delivered: HTTP 200 in \d+ ms\./).waitFor();
    await screenshot(p, 'webhooks-desktop');

    // A booking made in the UI reaches the receiver as a thin trigger with Basic Auth.
    const before = ui.receiver.received.length;
    const id = await createBooking(p, 'Ada Lovelace');
    await screenshot(p, 'bookings-desktop');
    await expect
      .poll(() => ui.receiver.received.length, { timeout: 20_000 })
      .toBeGreaterThan(before);
    const got = ui.receiver.received.at(-1)!;
    expect(JSON.parse(got.body)).toEqual({
      id,
      facility_id: 'the-fish',
      action: 'BOOKING_CREATED',
    });
    expect(got.headers.authorization).toBe(
      `Basic ${Buffer.from('zapier:s3cret').toString('base64')}`,
    );

    // …and shows up in the delivery log as succeeded, with its attempt.
    await openLog(p, ui.receiver.url);
    const row = p.locator('li.delivery', { hasText: `Booking #${id}` });
    await row.getByText('Succeeded').waitFor();
    await row.getByText('booking_created').waitFor();
    await row.getByRole('button', { name: 'Show attempts' }).click();
    await row.getByText('HTTP 200', { exact: true }).waitFor();
    await row.getByText('thanks, got it').waitFor();
    // The booking: the chart (…/stats) counts real deliveries, not test triggers.
    await p.locator('.chart .legend').getByText('1 succeeded').waitFor();
    await screenshot(p, 'delivery-log-desktop');

    // The list shows the last delivery at a glance.
    await p.getByRole('link', { name: 'All webhooks' }).click();
    await p
      .getByRole('article', { name: ui.receiver.url })
      .getByText(/Succeeded · 200/)
      .waitFor();
    expect(t.errors).toEqual([]);
  });

  it("shows a failing receiver's failure, and Resend delivers once it is back", async () => {
    const failing = await TestReceiver.start('/down');
    try {
      const t = await ui.page();
      const p = t.page;
      await login(p, ui.server.url, 'owner@the-crab.example', PASSWORD);
      await addWebhook(p, failing.url, ['booking_created']);
      await p.getByRole('button', { name: 'Add webhook', exact: true }).click();
      await p.getByText(/Webhook added\./).waitFor();

      failing.status = 500;
      const id = await createBooking(p, 'Grace Hopper');
      await openLog(p, failing.url);
      const row = p.locator('li.delivery', { hasText: `Booking #${id}` });
      // The first attempt fails, its one retry a second later too: failed for good.
      await row.getByText('Failed', { exact: true }).waitFor({ timeout: 30_000 });
      await row.getByText(/2 attempts · last answer HTTP 500/).waitFor();
      await row.getByRole('button', { name: 'Show attempts' }).click();
      await row.locator('.attempt').nth(1).waitFor();
      expect(await row.getByText('receiver is down for maintenance').count()).toBe(2);
      await p.locator('.chart .legend').getByText('1 failed').waitFor();
      await screenshot(p, 'delivery-log-failed-desktop');

      failing.status = 200;
      await row.getByRole('button', { name: 'Resend' }).click();
      await row.getByText('Succeeded').waitFor({ timeout: 30_000 });
      await row.getByText('thanks, got it').waitFor();
      expect(failing.received).toHaveLength(3);
      // One delivery, one webhook-id on every try: the receiver can drop duplicates.
      expect(new Set(failing.received.map((r) => r.headers['webhook-id'])).size).toBe(1);

      // 'Resend failed since…' sends every failed delivery again.
      failing.status = 503;
      const second = await createBooking(p, 'Alan Turing');
      await openLog(p, failing.url);
      const row2 = p.locator('li.delivery', { hasText: `Booking #${second}` });
      await row2.getByText('Failed', { exact: true }).waitFor({ timeout: 30_000 });
      failing.status = 200;
      await p.getByRole('button', { name: 'Resend failed' }).click();
      await p.getByText('1 failed delivery is being sent again.').waitFor();
      await row2.getByText('Succeeded').waitFor({ timeout: 30_000 });
      await p.locator('.chart .legend').getByText('2 succeeded').waitFor();
      await screenshot(p, 'delivery-log-recovered-desktop');
      expect(t.errors).toEqual([]);
    } finally {
      await failing.close();
    }
  });

  it('shows validation errors from the API beside the field they are about', async () => {
    for (const [viewport, suffix] of [
      [DESKTOP, 'desktop'],
      [MOBILE, 'mobile'],
    ] as const) {
      const t = await ui.page(viewport);
      const p = t.page;
      await login(p, ui.server.url, 'owner@the-fish.example', PASSWORD);
      await p.goto(`${ui.server.url}${WEBHOOKS}/new`);
      await p.getByRole('heading', { name: 'Add webhook', level: 1 }).waitFor();
      const url = p.getByLabel('Target URL');

      // Nothing filled in: the URL is named first, and the keyboard is taken there.
      await p.getByRole('button', { name: 'Add webhook', exact: true }).click();
      const urlError = p.locator('.field', { has: url }).locator('.field-error');
      await urlError.waitFor();
      expect(await urlError.textContent()).toContain('Enter the URL of your receiver');
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      expect(await url.getAttribute('aria-describedby')).toContain('wh-url-error');
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('wh-url');

      // A private address is refused (SSRF) and the reason is shown beside the URL.
      await url.fill('http://10.1.2.3/hook');
      await p.getByLabel('Username').fill('zapier');
      await p.getByLabel('Password').fill('s3cret');
      await p.getByLabel('booking_created').check();
      await p.getByRole('button', { name: 'Add webhook', exact: true }).click();
      await urlError.getByText(/^Host 10\.1\.2\.3 is blocked \(private/).waitFor();
      await screenshot(p, `webhook-form-url-error-${suffix}`);

      // No event chosen: the error sits under the events.
      await url.fill(ui.receiver.url);
      await p.getByLabel('booking_created').uncheck();
      await p.getByRole('button', { name: 'Add webhook', exact: true }).click();
      const eventsError = p.locator('#wh-events .field-error');
      await eventsError.waitFor();
      expect(await eventsError.textContent()).toContain('Choose at least one event.');
      expect(await urlError.count()).toBe(0);
      await screenshot(p, `webhook-form-errors-${suffix}`);
      expect(t.errors).toEqual([]);
    }
  });
});
