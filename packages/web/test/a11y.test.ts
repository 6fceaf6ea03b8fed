// Issue #15, item 9: an axe-core audit of every page and state at 1280 and 390 px (0
// violations), and where the keyboard focus goes after each action that used to drop it
// to <body>.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, type Violation } from './support/axe.js';
import { login } from './support/browser.js';
import { TestReceiver } from './support/receiver.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';
const OWNER = 'owner@the-perch.example';
const WEBHOOKS = '/settings/integration/developers/webhooks';
const WIDE = { width: 1280, height: 860 };
const NARROW = { width: 390, height: 844 };

describe('accessibility', () => {
  const ui = useUi({ TABLEHOOKS_RETRY_SCHEDULE: '3600,3600' });
  let failingHook = '';
  let down: TestReceiver;

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-perch', name: 'The Perch', plan: 'premium' }, [
      { email: OWNER, password: PASSWORD, role: 'owner' },
    ]);
    await ui.server.operator('POST', '/v1/facility/the-perch/webhooks', {
      url: ui.receiver.url,
      username: 'n8n',
      password: 'pw',
      events: ['booking_created', 'productorder_created'],
    });
    down = await TestReceiver.start('/down');
    down.status = 500;
    const hook = await ui.server.operator<{ id: string }>(
      'POST',
      '/v1/facility/the-perch/webhooks',
      {
        url: down.url,
        username: 'zapier',
        password: 'pw',
        events: ['booking_created'],
      },
    );
    failingHook = hook.id;
    // A cancelled booking and order: their rows are the dimmed ones.
    const b = await ui.server.operator<{ id: number }>('POST', '/v1/facility/the-perch/bookings', {
      num: 2,
      date: '2026-12-24T19:30:00+01:00',
      name: 'Cancelled Guest',
    });
    await ui.server.operator('PATCH', `/v1/facility/the-perch/bookings/${b.id}`, {
      status: 'cancelled',
    });
    await ui.server.operator('POST', '/v1/facility/the-perch/bookings', {
      num: 4,
      date: '2026-12-24T20:00:00+01:00',
      name: 'Ordinary Guest',
    });
    const o = await ui.server.operator<{ id: number }>(
      'POST',
      '/v1/facility/the-perch/productorders',
      {
        type: 'pickup',
        items: [{ product_id: 'p', name: 'Pie', quantity: 1, unit_price: 500 }],
        name: 'Cancelled Order',
      },
    );
    await ui.server.operator('PATCH', `/v1/facility/the-perch/productorders/${o.id}`, {
      status: 'cancelled',
    });
    // The failing webhook's first attempt has failed (the page then shows it failing).
    for (let i = 0; i < 150 && down.received.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  const settled = (p: Page) =>
    p
      .locator('.loading')
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => {});

  for (const [viewport, name] of [
    [WIDE, '1280 px'],
    [NARROW, '390 px'],
  ] as const) {
    it(`has no axe violations on any page or state at ${name}`, async () => {
      const t = await ui.page(viewport);
      const p = t.page;
      const found: Record<string, Violation[]> = {};
      const audit = async (state: string) => {
        await settled(p);
        const v = await axe(p);
        if (v.length > 0) found[state] = v;
      };
      await p.goto(ui.server.url);
      await p.getByRole('heading', { name: 'Log in' }).waitFor();
      await audit('login');
      await p.getByLabel('Email').fill(OWNER);
      await p.getByLabel('Password').fill('wrong password');
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.locator('[role=alert]').first().waitFor();
      await audit('login, wrong password');
      await login(p, ui.server.url, OWNER, PASSWORD);

      await p
        .getByRole('article', { name: down.url })
        .getByText('Failing', { exact: true })
        .waitFor();
      await audit('webhooks, one failing');
      await p
        .getByRole('article', { name: down.url })
        .getByRole('button', { name: 'Delete' })
        .click();
      await audit('webhooks, delete confirmation');
      await p.keyboard.press('Escape');

      await p.goto(`${ui.server.url}${WEBHOOKS}/new`);
      await p.getByRole('heading', { name: 'Add webhook', level: 1 }).waitFor();
      await audit('add webhook');
      await p.getByRole('button', { name: 'Add webhook', exact: true }).click();
      await p.locator('#wh-url-error').waitFor();
      await audit('add webhook, every field error');

      await p.goto(`${ui.server.url}${WEBHOOKS}/${failingHook}/edit`);
      await p.getByRole('heading', { name: 'Edit webhook', level: 1 }).waitFor();
      await audit('edit webhook');

      await p.goto(`${ui.server.url}${WEBHOOKS}/${failingHook}`);
      await p.getByText('This webhook is failing.').waitFor();
      await p.locator('.chart').waitFor();
      await p.getByRole('button', { name: 'Show attempts' }).first().click();
      await p.locator('.attempt').first().waitFor();
      await audit('delivery log, failing, attempts open');

      await p.goto(`${ui.server.url}/settings/integration/developers/api`);
      await p.getByRole('heading', { level: 1 }).waitFor();
      await audit('API keys');

      await p.goto(`${ui.server.url}/bookings`);
      await p.getByText('Cancelled Guest').waitFor();
      await audit('bookings, with a cancelled one');
      await p.getByRole('button', { name: '+ New booking' }).click();
      await audit('bookings, new booking form');

      await p.goto(`${ui.server.url}/orders`);
      await p.getByText('Cancelled Order').waitFor();
      await audit('online orders, with a cancelled one');
      await p.getByRole('button', { name: '+ New order' }).click();
      await audit('online orders, new order form');

      expect(found).toEqual({});
      expect(t.errors).toEqual([]);
    });
  }

  afterAll(() => down.close());

  /** The focused element, described: its role-ish tag and text or id. */
  const focused = (p: Page) =>
    p.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return 'body';
      return `${e.tagName.toLowerCase()}:${(e.id || e.textContent || '').trim()}`;
    });

  it('keeps the keyboard focus on something after each action', async () => {
    const t = await ui.page(WIDE);
    const p = t.page;
    await login(p, ui.server.url, OWNER, PASSWORD);
    const card = p.getByRole('article', { name: ui.receiver.url });
    await card.waitFor();

    // "+ Add webhook" and Edit: the heading, once the page has loaded.
    await p.getByRole('link', { name: '+ Add webhook' }).focus();
    await p.keyboard.press('Enter');
    await expect.poll(() => focused(p)).toBe('h1:wh-form-title');
    await p.goto(`${ui.server.url}${WEBHOOKS}`);
    await card.getByRole('link', { name: 'Edit' }).focus();
    await p.keyboard.press('Enter');
    await expect.poll(() => focused(p)).toBe('h1:wh-form-title');
    await p.getByRole('link', { name: 'Cancel' }).focus();
    await p.keyboard.press('Enter');
    await expect.poll(() => focused(p)).toBe('h1:webhooks-title');

    // Send test, Disable and Enable keep the focus on their button while and after they work.
    await card.getByRole('button', { name: 'Send test' }).focus();
    await p.keyboard.press('Enter');
    await card.getByText(/Test delivered/).waitFor();
    expect(await focused(p)).toBe('button:Send test');
    await card.getByRole('button', { name: 'Disable' }).focus();
    await p.keyboard.press('Enter');
    await card.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await focused(p)).toBe('button:Enable');
    await p.keyboard.press('Enter');
    await card.getByRole('button', { name: 'Disable' }).waitFor();
    expect(await focused(p)).toBe('button:Disable');

    // Escape closes the delete confirmation, back on Delete.
    await card.getByRole('button', { name: 'Delete' }).focus();
    await p.keyboard.press('Enter');
    expect(await focused(p)).toBe('button:Delete webhook');
    await p.keyboard.press('Escape');
    expect(await card.getByRole('button', { name: 'Delete webhook' }).count()).toBe(0);
    expect(await focused(p)).toBe('button:Delete');

    // After a confirmed delete the card is gone: the page's heading has the focus.
    const gone = p.getByRole('article', { name: down.url });
    await gone.getByRole('button', { name: 'Delete' }).focus();
    await p.keyboard.press('Enter');
    await p.keyboard.press('Enter');
    await gone.waitFor({ state: 'detached' });
    await expect.poll(() => focused(p)).toBe('h1:webhooks-title');

    // Close of the booking and order forms: back on the button that opened them.
    for (const [path, button] of [
      ['/bookings', '+ New booking'],
      ['/orders', '+ New order'],
    ] as const) {
      await p.goto(`${ui.server.url}${path}`);
      await p.getByRole('button', { name: button }).focus();
      await p.keyboard.press('Enter');
      await p.getByRole('button', { name: 'Close' }).focus();
      await p.keyboard.press('Enter');
      await expect.poll(() => focused(p)).toBe(`button:${button}`);
    }
    expect(t.errors).toEqual([]);
  });
});
