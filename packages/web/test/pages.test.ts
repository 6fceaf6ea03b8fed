// The rest of the settings UI as staff meet it: logging in and out, the free plan, API
// keys, bookings and online orders triggering their webhooks, a phone-sized screen and the
// keyboard alone.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, login, MOBILE, screenshot } from './support/browser.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';
const OWNER = 'owner@the-fish.example';
const STAFF = 'staff@the-fish.example';
const FREE = 'owner@corner-cafe.example';

describe('the settings UI pages', () => {
  const ui = useUi();

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-fish', name: 'The Fish', plan: 'premium' }, [
      { email: OWNER, password: PASSWORD, role: 'owner' },
      { email: STAFF, password: PASSWORD, role: 'staff' },
    ]);
    await createFacility(ui.server, { id: 'corner-cafe', name: 'Corner Café', plan: 'free' }, [
      { email: FREE, password: PASSWORD, role: 'owner' },
    ]);
    // Every event of The Fish goes to the receiver (set up by the operator, not the UI).
    await ui.server.operator('POST', '/v1/facility/the-fish/webhooks', {
      url: ui.receiver.url,
      username: 'n8n',
      password: 'pw',
      events: [
        'booking_created',
        'booking_updated',
        'booking_deleted',
        'productorder_created',
        'productorder_updated',
        'productorder_deleted',
      ],
      description: 'n8n workflow',
    });
  });

  const mainNav = (p: Page, name: string) =>
    p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  /** The actions the receiver got since `from`, in order. */
  const actionsSince = (from: number) =>
    ui.receiver
      .bodies()
      .slice(from)
      .map((b) => `${b.action} ${b.id}`);

  it('tells a user with wrong credentials so, and lets them in with the right ones', async () => {
    const t = await ui.page();
    const p = t.page;
    await p.goto(ui.server.url);
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    await screenshot(p, 'login-desktop');
    await p.getByLabel('Email').fill(OWNER);
    await p.getByLabel('Password').fill('not my password');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p
      .getByRole('alert')
      .getByText('Wrong email or password. Check both and try again.')
      .waitFor();
    // The same words for an email that has no account: nothing is given away.
    await p.getByLabel('Email').fill('nobody@the-fish.example');
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p
      .getByRole('alert')
      .getByText('Wrong email or password. Check both and try again.')
      .waitFor();
    await screenshot(p, 'login-error-desktop');

    await p.getByLabel('Email').fill(OWNER);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    // The session is an HttpOnly cookie: the page's scripts can't read it.
    expect(await p.evaluate(() => document.cookie)).toMatch(/^th_csrf=[0-9a-f]{64}$/);
    const cookies = await t.context.cookies();
    expect(cookies.find((c) => c.name === 'th_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(t.errors).toEqual([]);
  });

  it('logs out, and the old session no longer opens the pages', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, OWNER, PASSWORD);
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByText('You have logged out.').waitFor();
    await p.goto(`${ui.server.url}/bookings`);
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(t.errors).toEqual([]);
  });

  it('sends the user back to the login page, saying why, when the session has ended', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, OWNER, PASSWORD);
    await p.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    // As if the server had ended it (expiry is tested on the server, with a moved clock).
    await t.context.clearCookies({ name: 'th_session' });
    await mainNav(p, 'Bookings').click();
    await p.getByText('Your session has expired. Please log in again.').waitFor();
    await p.getByLabel('Email').fill(OWNER);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Log in' }).click();
    // Back where the user was going.
    await p.getByRole('heading', { name: 'Bookings', level: 1 }).waitFor();
    expect(t.errors).toEqual([]);
  });

  it('explains to a free-plan facility that webhooks need the premium plan, instead of the form', async () => {
    for (const [viewport, suffix] of [
      [DESKTOP, 'desktop'],
      [MOBILE, 'mobile'],
    ] as const) {
      const t = await ui.page(viewport);
      const p = t.page;
      await login(p, ui.server.url, FREE, PASSWORD);
      await p.getByRole('heading', { name: 'Webhooks need the premium plan' }).waitFor();
      await p.getByText('Available starting with the PREMIUM plan.').waitFor();
      expect(await p.getByRole('link', { name: '+ Add webhook' }).count()).toBe(0);
      await p.goto(`${ui.server.url}/settings/integration/developers/webhooks/new`);
      await p.getByRole('heading', { name: 'Webhooks need the premium plan' }).waitFor();
      expect(await p.getByLabel('Target URL').count()).toBe(0);
      await p.goBack();
      await screenshot(p, `webhooks-free-plan-${suffix}`);
      expect(t.errors).toEqual([]);
    }
  });

  it('lets the owner create an API key, shown once with a copy button, and revoke it', async () => {
    const t = await ui.page();
    const p = t.page;
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: ui.server.url,
    });
    await login(p, ui.server.url, OWNER, PASSWORD);
    await p
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'API' })
      .click();
    await p.getByRole('heading', { name: 'API', level: 1 }).waitFor();
    const crumbs = await p
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('listitem')
      .allTextContents();
    expect(crumbs).toEqual(['Settings', 'Integration', 'API']);

    // The API names the missing field; the form shows it beside the name.
    await p.getByRole('button', { name: 'Create API key' }).click();
    await p.locator('#key-name-error').getByText(/name/i).waitFor();

    await p.getByLabel('Name').fill('Zapier');
    await p.getByLabel('write').check();
    await p.getByRole('button', { name: 'Create API key' }).click();
    const key = await p.getByLabel('New API key').inputValue();
    expect(key).toMatch(/^thk_/);
    await p.getByRole('button', { name: 'Copy' }).click();
    await p.getByText('Copied.').waitFor();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(key);
    // The key works against the API…
    const res = await fetch(`${ui.server.url}/v1/facility/the-fish/bookings`, {
      headers: { 'api-key': key },
    });
    expect(res.status).toBe(200);
    await screenshot(p, 'api-keys-desktop');

    // …and after a reload only its prefix is left to see.
    await p.reload();
    await p.getByRole('heading', { name: 'Zapier' }).waitFor();
    expect(await p.getByLabel('New API key').count()).toBe(0);
    expect(await p.content()).not.toContain(key);

    const card = p.locator('li.apikey', { hasText: 'Zapier' });
    await card.getByRole('button', { name: 'Revoke' }).click();
    await card.getByRole('button', { name: 'Revoke key' }).click();
    await card.locator('.badge').getByText('Revoked').waitFor();
    const after = await fetch(`${ui.server.url}/v1/facility/the-fish/bookings`, {
      headers: { 'api-key': key },
    });
    expect(after.status).toBe(401);
    expect(t.errors).toEqual([]);
  });

  it('hides the API page from staff, who still manage webhooks and bookings', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, STAFF, PASSWORD);
    await p.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await p.getByRole('article', { name: ui.receiver.url }).waitFor();
    const settings = p.getByRole('navigation', { name: 'Settings' });
    expect(await settings.getByRole('link', { name: 'API' }).count()).toBe(0);
    await p.goto(`${ui.server.url}/settings/integration/api`);
    await p.getByText('Only the facility owner can create and revoke API keys.').waitFor();
    expect(t.errors).toEqual([]);
  });

  it('creates, edits and cancels a booking, and each change reaches the webhook', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, STAFF, PASSWORD);
    await mainNav(p, 'Bookings').click();
    const from = ui.receiver.received.length;

    await p.getByRole('button', { name: '+ New booking' }).click();
    await p.getByLabel('Guest name').fill('Ada Lovelace');
    await p.getByLabel('Party size').fill('0');
    await p.getByRole('button', { name: 'Create booking' }).click();
    await p.locator('#b-num-error').getByText('Must be at least 1.').waitFor();
    await screenshot(p, 'booking-form-errors-desktop');
    await p.getByLabel('Party size').fill('6');
    await p.getByRole('button', { name: 'Create booking' }).click();
    const created = p.getByText(/Booking #\d+ created/);
    await created.waitFor();
    const id = Number(/#(\d+)/.exec((await created.textContent()) ?? '')![1]);

    await p.getByRole('button', { name: `Edit booking #${id} (Ada Lovelace)` }).click();
    await p.getByLabel('Party size').fill('7');
    await p.getByLabel('Status').selectOption('seated');
    await p.getByRole('button', { name: 'Save booking' }).click();
    await p.getByText(`Booking #${id} saved`).waitFor();
    const row = p.locator('li.row-item', { hasText: 'Ada Lovelace' });
    await row.getByText('7 people').waitFor();
    await row.getByText('Seated').waitFor();
    await screenshot(p, 'bookings-list-desktop');

    await p.getByRole('button', { name: '+ New booking' }).click();
    await p.getByLabel('Guest name').fill('Charles Babbage');
    await p.getByRole('button', { name: 'Create booking' }).click();
    await p.getByText(/Booking #\d+ created/).waitFor();
    const second = p.locator('li.row-item', { hasText: 'Charles Babbage' });
    await second.getByRole('button', { name: 'Cancel booking' }).click();
    await second.getByRole('button', { name: 'Yes, cancel it' }).click();
    await second.getByText('Cancelled').waitFor();

    await expect.poll(() => actionsSince(from).length, { timeout: 20_000 }).toBe(4);
    const actions = actionsSince(from);
    expect(actions.slice(0, 2)).toEqual([`BOOKING_CREATED ${id}`, `BOOKING_UPDATED ${id}`]);
    expect(actions[2]).toMatch(/^BOOKING_CREATED \d+$/);
    expect(actions[3]).toBe(actions[2]!.replace('CREATED', 'DELETED'));
    expect(t.errors).toEqual([]);
  });

  it('creates, edits and cancels an online order, and each change reaches the webhook', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, OWNER, PASSWORD);
    await mainNav(p, 'Online orders').click();
    const from = ui.receiver.received.length;

    await p.getByRole('button', { name: '+ New order' }).click();
    await p.getByLabel('Delivery', { exact: true }).check();
    await p.getByLabel('Customer name').fill('Grace Hopper');
    await p.getByLabel('Item 1').fill('Fish and chips');
    await p.getByLabel('Quantity').fill('2');
    await p.getByLabel('Unit price (€)').fill('12.50');
    await p.getByRole('button', { name: 'Create order' }).click();
    // A delivery needs an address: the API says which part is missing.
    await p
      .locator('#o-street-error')
      .getByText(/street/i)
      .waitFor();
    await screenshot(p, 'order-form-errors-desktop');
    await p.getByLabel('Street and number').fill('Harbour Road 1');
    await p.getByLabel('Postal code').fill('20457');
    await p.getByLabel('City').fill('Hamburg');
    await p.getByRole('button', { name: 'Create order' }).click();
    const created = p.getByText(/Order #\d+ created/);
    await created.waitFor();
    const id = Number(/#(\d+)/.exec((await created.textContent()) ?? '')![1]);
    const row = p.locator('li.row-item', { hasText: 'Grace Hopper' });
    await row.getByText('€25.00').waitFor();

    await p.getByRole('button', { name: `Edit order #${id} (Grace Hopper)` }).click();
    await p.getByLabel('Status').selectOption('accepted');
    await p.getByRole('button', { name: 'Save order' }).click();
    await row.getByText('Accepted').waitFor();
    await screenshot(p, 'orders-desktop');

    await row.getByRole('button', { name: 'Cancel order' }).click();
    await row.getByRole('button', { name: 'Yes, cancel it' }).click();
    await row.getByText('Cancelled').waitFor();

    await expect
      .poll(() => actionsSince(from), { timeout: 20_000 })
      .toEqual([
        `PRODUCTORDER_CREATED ${id}`,
        `PRODUCTORDER_UPDATED ${id}`,
        `PRODUCTORDER_DELETED ${id}`,
      ]);
    expect(t.errors).toEqual([]);
  });

  it('fits a 375 px wide phone screen on every main page', async () => {
    const t = await ui.page(MOBILE);
    const p = t.page;
    await p.goto(ui.server.url);
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    await screenshot(p, 'login-mobile');
    await login(p, ui.server.url, OWNER, PASSWORD);
    const pages: [string, string, string][] = [
      ['/settings/integration/developers/webhooks', 'Webhooks', 'webhooks-mobile'],
      ['/settings/integration/developers/webhooks/new', 'Add webhook', 'webhook-form-mobile'],
      ['/settings/integration/api', 'API', 'api-keys-mobile'],
      ['/bookings', 'Bookings', 'bookings-mobile'],
      ['/orders', 'Online orders', 'orders-mobile'],
    ];
    for (const [path, heading, name] of pages) {
      await p.goto(ui.server.url + path);
      await p.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await screenshot(p, name);
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${path} scrolls sideways`).toBeLessThanOrEqual(375);
    }
    // The delivery log of the operator's webhook, with its deliveries from the tests above.
    await p.goto(`${ui.server.url}/settings/integration/developers/webhooks`);
    await p.getByRole('link', { name: 'Delivery log' }).first().click();
    await p.locator('li.delivery').first().waitFor();
    await p.locator('li.delivery').first().getByRole('button', { name: 'Show attempts' }).click();
    await p.locator('.attempt').first().waitFor();
    await screenshot(p, 'delivery-log-mobile');
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(t.errors).toEqual([]);
  });

  it('can be used with the keyboard alone: log in, then add a webhook', async () => {
    const t = await ui.page();
    const p = t.page;
    const focused = () =>
      p.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const label = el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
        return label ?? el?.textContent ?? '';
      });
    await p.goto(ui.server.url);
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('Email');
    await p.keyboard.type(OWNER);
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('Password');
    await p.keyboard.type(PASSWORD);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();

    // Tab to "+ Add webhook" and follow it with Enter.
    for (let i = 0; i < 30 && (await focused()) !== '+ Add webhook'; i++)
      await p.keyboard.press('Tab');
    expect(await focused()).toBe('+ Add webhook');
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Add webhook', level: 1 }).waitFor();
    for (let i = 0; i < 30 && (await focused()) !== 'Target URL'; i++)
      await p.keyboard.press('Tab');
    await p.keyboard.type(`${ui.receiver.url}?kbd=1`);
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('Username');
    await p.keyboard.type('keyboard');
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('Password');
    await p.keyboard.type('secret');
    await p.keyboard.press('Tab');
    expect(await focused()).toMatch(/^booking_created/);
    await p.keyboard.press('Space');
    expect(await p.getByLabel('booking_created').isChecked()).toBe(true);
    await p.keyboard.press('Enter');
    await p.getByText(/Webhook added\./).waitFor();
    await p.getByRole('article', { name: `${ui.receiver.url}?kbd=1` }).waitFor();
    expect(t.errors).toEqual([]);
  });
});
