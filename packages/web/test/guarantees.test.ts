// The delivery guarantees as the restaurant meets them: the webhook form's Advanced part
// (order, coalescing, superseding, age limit), and a delivery log that says why a
// notification waits, stands for several updates, or was never sent.
import { beforeAll, describe, expect, it } from 'vitest';
import { login, screenshot } from './support/browser.js';
import { TestReceiver } from './support/receiver.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';
const WEBHOOKS = '/settings/integration/developers/webhooks';

describe('delivery guarantees in the settings UI', () => {
  // Retries a minute apart: what waits for a retry stays waiting while the test looks.
  const ui = useUi({ TABLEHOOKS_RETRY_SCHEDULE: '60,60' });
  let key = '';

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-eel', name: 'The Eel', plan: 'premium' }, [
      { email: 'owner@the-eel.example', password: PASSWORD, role: 'owner' },
    ]);
    key = (
      await ui.server.operator('POST', '/v1/facility/the-eel/api-keys', {
        name: 'pos',
        scopes: ['read', 'write', 'webhooks'],
      })
    ).key;
  });

  async function asPos<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${ui.server.url}/v1/facility/the-eel${path}`, {
      method,
      headers: {
        'api-key': key,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  it('shows the defaults, names a bad age limit beside its field, and saves the chosen settings', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, 'owner@the-eel.example', PASSWORD);
    await p.goto(`${ui.server.url}${WEBHOOKS}/new`);
    await p.getByRole('heading', { name: 'Add webhook', level: 1 }).waitFor();
    await p.getByLabel('Target URL').fill(ui.receiver.url);
    await p.getByLabel('Username').fill('zapier');
    await p.getByLabel('Password').fill('s3cret');
    await p.getByLabel('booking_updated').check();

    const advanced = p.locator('details.advanced');
    expect(await advanced.getAttribute('open')).toBeNull();
    await p.getByText('Advanced: order, coalescing and age limit').click();
    expect(await p.getByLabel(/One booking or order at a time/).isChecked()).toBe(true);
    expect(await p.getByLabel(/Combine waiting updates/).isChecked()).toBe(true);
    expect(await p.getByLabel(/Skip what waits when it is deleted/).isChecked()).toBe(true);

    await p.getByLabel(/No order/).check();
    await p.getByLabel(/Combine waiting updates/).uncheck();
    const age = p.getByLabel('Age limit in hours (optional)');
    await age.fill('soon');
    await p.getByRole('button', { name: 'Add webhook', exact: true }).click();
    const ageError = p.locator('.field', { has: age }).locator('.field-error');
    await ageError.waitFor();
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('wh-max_age_hours');
    await screenshot(p, 'webhook-form-advanced-desktop');

    await age.fill('6');
    await p.getByRole('button', { name: 'Add webhook', exact: true }).click();
    await p.getByText(/Webhook added\./).waitFor();
    const [hook] = (await asPos('GET', '/webhooks')).objects;
    expect(hook).toMatchObject({
      ordering: 'none',
      coalesce_updates: false,
      supersede_on_delete: true,
      max_age_hours: 6,
    });

    // Edit: the part is open, since it differs from the defaults, and shows what is stored.
    await p.goto(`${ui.server.url}${WEBHOOKS}/${hook.id}/edit`);
    await p.getByRole('heading', { name: 'Edit webhook', level: 1 }).waitFor();
    expect(await advanced.getAttribute('open')).not.toBeNull();
    expect(await p.getByLabel(/No order/).isChecked()).toBe(true);
    expect(await p.getByLabel('Age limit in hours (optional)').inputValue()).toBe('6');
    await p.getByLabel(/One booking or order at a time/).check();
    await p.getByLabel('Age limit in hours (optional)').fill('');
    await p.getByRole('button', { name: 'Save webhook' }).click();
    await p.getByText('Webhook saved.').waitFor();
    expect(await asPos('GET', `/webhooks/${hook.id}`)).toMatchObject({
      ordering: 'per_resource',
      max_age_hours: null,
    });
    await asPos('DELETE', `/webhooks/${hook.id}`);
    expect(t.errors).toEqual([]);
  });

  it('shows a cancelled booking’s waiting notifications as superseded, and how many updates one stood for', async () => {
    const down = await TestReceiver.start('/down');
    try {
      down.status = 503;
      const hook = await asPos('POST', '/webhooks', {
        url: down.url,
        username: 'u',
        password: 'p',
        events: ['booking_created', 'booking_updated', 'booking_deleted'],
      });
      const booking = await asPos('POST', '/bookings', {
        num: 2,
        date: '2026-12-24T19:30:00+01:00',
        name: 'Ada Lovelace',
      });
      // Its first attempt fails; the created notification now waits a minute for its retry.
      await expect.poll(() => down.received.length, { timeout: 10_000 }).toBe(1);
      for (const num of [3, 4, 5]) await asPos('PATCH', `/bookings/${booking.id}`, { num });
      await asPos('PATCH', `/bookings/${booking.id}`, { status: 'cancelled' });

      const t = await ui.page();
      const p = t.page;
      await login(p, ui.server.url, 'owner@the-eel.example', PASSWORD);
      await p.goto(`${ui.server.url}${WEBHOOKS}/${hook.id}`);
      await p.getByRole('heading', { name: 'Delivery log', level: 1 }).waitFor();
      const updated = p.locator('li.delivery', { hasText: 'booking_updated' });
      await updated.getByText('Superseded', { exact: true }).waitFor();
      await updated.getByText(/stands for 3 updates/).waitFor();
      await updated.getByText(/not sent: the booking was deleted meanwhile/).waitFor();
      await p
        .locator('li.delivery', { hasText: 'booking_created' })
        .getByText(/not tried again: the booking was deleted meanwhile/)
        .waitFor();
      const created = p.locator('li.delivery', { hasText: 'booking_created' });
      await created.getByText('Superseded', { exact: true }).waitFor();
      expect(await created.getByRole('button', { name: 'Resend' }).isEnabled()).toBe(true);
      const deleted = p.locator('li.delivery', { hasText: 'booking_deleted' });
      await deleted.getByText('Retrying').waitFor({ timeout: 10_000 });
      // Waiting for its retry: not a greyed-out Resend but "Retry now".
      expect(await deleted.getByRole('button', { name: 'Resend' }).count()).toBe(0);
      await deleted.getByRole('button', { name: 'Retry now' }).waitFor();
      await screenshot(p, 'delivery-log-superseded-desktop');
      // Only the cancellation went out (and was refused); nothing about the booking before.
      expect(down.received.map((r) => JSON.parse(r.body).action)).toEqual([
        'BOOKING_CREATED',
        'BOOKING_DELETED',
      ]);
      expect(t.errors).toEqual([]);
    } finally {
      await down.close();
    }
  });
});
