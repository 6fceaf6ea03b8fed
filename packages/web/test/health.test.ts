// Issue #15 in the browser: a webhook whose receiver fails looks failing (the API's health
// words, the next try), "Retry now" sends what waits for a retry once the receiver is fixed
// (per delivery and per webhook), and a form flags every field at once in plain words.
// Screenshots go to test/screenshots/ (kept in the repository).
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, KEPT_SCREENSHOTS, login, MOBILE, screenshot } from './support/browser.js';
import { TestReceiver } from './support/receiver.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';
const WEBHOOKS = '/settings/integration/developers/webhooks';

describe('failing webhooks and Retry now', () => {
  // Retries an hour apart: a failed delivery stays "waiting for its next retry" for the test.
  const ui = useUi({ TABLEHOOKS_RETRY_SCHEDULE: '3600,3600' });

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-pike', name: 'The Pike', plan: 'premium' }, [
      { email: 'owner@the-pike.example', password: PASSWORD, role: 'owner' },
    ]);
  });

  const keep = (p: Page, name: string) => screenshot(p, name, KEPT_SCREENSHOTS);
  const booking = (name: string) =>
    ui.server.operator<{ id: number }>('POST', '/v1/facility/the-pike/bookings', {
      num: 2,
      date: '2026-12-24T19:30:00+01:00',
      name,
    });

  it('shows a failing webhook as failing, and Retry now delivers once the receiver is fixed', async () => {
    const down = await TestReceiver.start('/down');
    try {
      down.status = 500;
      await ui.server.operator('POST', '/v1/facility/the-pike/webhooks', {
        url: down.url,
        username: 'zapier',
        password: 's3cret',
        events: ['booking_created'],
      });
      const first = await booking('Ada Lovelace');
      await expect.poll(() => down.received.length, { timeout: 15_000 }).toBe(1);

      const t = await ui.page();
      const p = t.page;
      await login(p, ui.server.url, 'owner@the-pike.example', PASSWORD);
      const card = p.getByRole('article', { name: down.url });
      // Not "Enabled" in green: failing, since when, how many attempts, the last error.
      await card.getByText('Failing', { exact: true }).waitFor();
      expect(await card.getByText('Enabled', { exact: false }).count()).toBe(0);
      await card.locator('.last-delivery').getByText('Retrying').waitFor();
      await card
        .getByText(/^Failing since \d\d:\d\d UTC \(1 attempt, last: HTTP 500\); next try at /)
        .waitFor();
      await keep(p, 'webhook-failing-list-desktop');

      // The delivery log says the same, and the delivery waits with "Retry now".
      await card.getByRole('link', { name: 'Delivery log' }).click();
      await p.getByRole('heading', { name: 'Delivery log', level: 1 }).waitFor();
      await p.getByText('This webhook is failing.').waitFor();
      await p.locator('.chart .legend').getByText('1 retrying').waitFor();
      const row = p.locator('li.delivery', { hasText: `Booking #${first.id}` });
      await row.getByText('Retrying').waitFor();
      await row.getByRole('button', { name: 'Show attempts' }).click();
      await row.getByText('receiver is down for maintenance').waitFor();
      expect(await row.getByRole('button', { name: 'Resend' }).count()).toBe(0);
      await keep(p, 'webhook-failing-log-desktop');

      // The receiver is fixed: Retry now, and the open attempt list and chart follow.
      down.status = 200;
      const retry = row.getByRole('button', { name: 'Retry now' });
      await retry.click();
      await row.getByText('Succeeded').waitFor({ timeout: 20_000 });
      await row.getByText('thanks, got it').waitFor();
      await p.locator('.chart .legend').getByText('1 succeeded').waitFor();
      await p.locator('.chart .legend').getByText('0 retrying').waitFor();
      expect(down.received).toHaveLength(2);
      await keep(p, 'webhook-retried-log-desktop');

      // Per webhook: two deliveries wait for their retry; one press sends both.
      down.status = 500;
      const [a, b] = [await booking('Grace Hopper'), await booking('Alan Turing')];
      await expect.poll(() => down.received.length, { timeout: 15_000 }).toBe(4);
      await p.goto(`${ui.server.url}${WEBHOOKS}`);
      await card.getByText(/^Failing since .*\(2 attempts, last: HTTP 500\)/).waitFor();
      down.status = 200;
      await card.getByRole('button', { name: 'Retry now' }).click();
      await card.getByText('2 deliveries are being tried now.').waitFor();
      await expect.poll(() => down.received.length, { timeout: 20_000 }).toBe(6);
      const ids = down
        .bodies()
        .slice(4)
        .map((x) => x.id);
      expect(ids.sort()).toEqual([a.id, b.id].sort());
      await card.getByText('Enabled · healthy').waitFor({ timeout: 20_000 });
      await keep(p, 'webhook-retried-list-desktop');
      expect(t.errors).toEqual([]);
    } finally {
      await down.close();
    }
  });

  it('says truthfully which webhooks a booking change was sent to', async () => {
    await createFacility(ui.server, { id: 'free-inn', name: 'Free Inn', plan: 'free' }, [
      { email: 'owner@free-inn.example', password: PASSWORD, role: 'owner' },
    ]);
    for (const [email, expected] of [
      ['owner@free-inn.example', /created \(no webhook notified: webhooks need the premium plan\)/],
      // The Pike has one enabled webhook listening to booking_created.
      ['owner@the-pike.example', /created \(booking_created sent to 1 webhook\)/],
    ] as const) {
      const t = await ui.page();
      const p = t.page;
      await login(p, ui.server.url, email, PASSWORD);
      await p.goto(`${ui.server.url}/bookings`);
      await p.getByRole('button', { name: '+ New booking' }).click();
      await p.getByLabel('Guest name').fill('Truthful Guest');
      await p.getByLabel('Party size').fill('2');
      await p.getByRole('button', { name: 'Create booking' }).click();
      await p.getByText(expected).waitFor();
      expect(t.errors).toEqual([]);
    }
  });

  it('flags every field of an empty webhook form at once, in plain words', async () => {
    for (const [viewport, suffix] of [
      [DESKTOP, 'desktop'],
      [MOBILE, 'mobile'],
    ] as const) {
      const t = await ui.page(viewport);
      const p = t.page;
      await login(p, ui.server.url, 'owner@the-pike.example', PASSWORD);
      await p.goto(`${ui.server.url}${WEBHOOKS}/new`);
      await p.getByRole('heading', { name: 'Add webhook', level: 1 }).waitFor();
      await p.getByLabel('Username').fill('zap:ier');
      await p.getByRole('button', { name: 'Add webhook', exact: true }).click();

      const errors = p.locator('.field-error');
      await p.locator('#wh-url-error').waitFor();
      const shown = Object.fromEntries(
        await errors.evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-field-error'), e.textContent ?? '']),
        ),
      );
      // One submit: the URL, the username, the password and the events, each beside its field.
      expect(Object.keys(shown).sort()).toEqual([
        'wh-events',
        'wh-password',
        'wh-url',
        'wh-username',
      ]);
      expect(shown['wh-username']).toMatch(/colon/i);
      for (const text of Object.values(shown)) {
        expect(text).not.toMatch(/must match pattern|must NOT have|value must be|\^|\$/);
      }
      // The keyboard is on the first field at fault; each field names its error.
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('wh-url');
      for (const id of ['wh-url', 'wh-username', 'wh-password']) {
        expect(await p.locator(`#${id}`).getAttribute('aria-invalid')).toBe('true');
        expect(await p.locator(`#${id}`).getAttribute('aria-describedby')).toContain(`${id}-error`);
      }
      // "Choose at least one." is read with the focused checkbox.
      expect(await p.getByLabel('booking_created').getAttribute('aria-describedby')).toBe(
        'wh-events-error',
      );
      await keep(p, `webhook-form-all-errors-${suffix}`);
      expect(t.errors).toEqual([]);
    }
  });
});
