// Rotations as the restaurant meets them: a new signing secret shown once with when the old
// one stops, and a password change with an overlap that shows which password the receiver
// accepts.
import { beforeAll, describe, expect, it } from 'vitest';
import { login, screenshot } from './support/browser.js';
import { TestReceiver } from './support/receiver.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';

describe('rotations in the settings UI', () => {
  const ui = useUi();
  let key = '';

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-pike', name: 'The Pike', plan: 'premium' }, [
      { email: 'owner@the-pike.example', password: PASSWORD, role: 'owner' },
    ]);
    key = (
      await ui.server.operator('POST', '/v1/facility/the-pike/api-keys', {
        name: 'pos',
        scopes: ['read', 'write', 'webhooks'],
      })
    ).key;
  });

  async function asPos(method: string, path: string, body?: unknown) {
    const res = await fetch(`${ui.server.url}/v1/facility/the-pike${path}`, {
      method,
      headers: {
        'api-key': key,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  }

  it('rotates the signing secret, shows the new one once and when the old one stops', async () => {
    const hook = await asPos('POST', '/webhooks', {
      url: ui.receiver.url,
      username: 'u',
      password: 'p',
      events: ['booking_created'],
    });
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, 'owner@the-pike.example', PASSWORD);
    const card = p.getByRole('article', { name: ui.receiver.url });
    await card.getByRole('button', { name: 'Rotate signing secret' }).click();
    const notice = card.getByText(/New signing secret, shown this once/);
    await notice.waitFor();
    const shown = await card.locator('code.secret').textContent();
    expect(shown).toMatch(/^whsec_/);
    expect(shown).not.toBe(hook.signing_secret);
    expect((await asPos('GET', `/webhooks/${hook.id}/secret`)).signing_secret).toBe(shown);
    await card.getByText(/The old secret is still signed with until/).waitFor();
    await card
      .getByText(/Signing secret rotating: the old one is also signed with until/)
      .waitFor();
    await screenshot(p, 'webhook-secret-rotated-desktop');
    await card.getByRole('button', { name: 'Stop signing with the old secret' }).click();
    await card.getByText(/Signing secret rotating/).waitFor({ state: 'detached' });
    expect(t.errors).toEqual([]);
    await asPos('DELETE', `/webhooks/${hook.id}`);
  });

  it('changes the password with an overlap and shows that the receiver still accepts the old one', async () => {
    const strict = await TestReceiver.start('/strict');
    try {
      const old = `Basic ${Buffer.from('zapier:old-pass').toString('base64')}`;
      strict.accept = (auth) => auth === old;
      await asPos('POST', '/webhooks', {
        url: strict.url,
        username: 'zapier',
        password: 'old-pass',
        events: ['booking_created'],
      });
      const t = await ui.page();
      const p = t.page;
      await login(p, ui.server.url, 'owner@the-pike.example', PASSWORD);
      const card = p.getByRole('article', { name: strict.url });
      await card.getByRole('button', { name: 'Change password with overlap' }).click();
      await card.getByLabel('New password').fill('new-pass');
      await card.getByRole('button', { name: 'Save new password' }).click();
      await card.getByText(/Password rotating: the receiver accepts/).waitFor();
      await card.getByText('not known yet').waitFor();

      await asPos('POST', '/bookings', { num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Ada' });
      await expect.poll(() => strict.received.length, { timeout: 10_000 }).toBe(2);
      await p.reload();
      await card.getByText('the old password only').waitFor({ timeout: 10_000 });
      await screenshot(p, 'webhook-password-rotating-desktop');
      await card.getByRole('button', { name: 'Drop the old password' }).click();
      await card.getByText(/Password rotating/).waitFor({ state: 'detached' });
      expect(t.errors).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
