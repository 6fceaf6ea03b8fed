// Issue #13 as a user meets it in Chromium: the settings UI under its Content-Security-Policy
// (no violations, no framing by another site), the password asked again when a webhook
// moves to another origin, and dates the browser can't read shown as text, not a blank page.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from './support/browser.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';
const OWNER = 'owner@the-oyster.example';
const LEAP = '2026-12-31T23:59:60Z';

// The server's own SQLite driver, to plant rows as a version that took leap seconds stored them.
const serverDir = resolve(fileURLToPath(import.meta.url), '../../../server');
const Sqlite = createRequire(join(serverDir, 'package.json'))('better-sqlite3');

describe('the settings UI, hardened', () => {
  const ui = useUi();
  let hookId: string;
  let framer: Server;
  let framerUrl: string;

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'the-oyster', name: 'The Oyster', plan: 'premium' }, [
      { email: OWNER, password: PASSWORD, role: 'owner' },
    ]);
    const hook = await ui.server.operator('POST', '/v1/facility/the-oyster/webhooks', {
      url: ui.receiver.url,
      username: 'n8n',
      password: 'the-stored-password',
      events: ['booking_created'],
    });
    hookId = hook.id;
    // Another site (another origin: another port) that tries to show our UI in a frame.
    framer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!doctype html><title>framer</title><iframe id="f" src="${ui.server.url}/"></iframe>`,
      );
    });
    await new Promise<void>((r) => framer.listen(0, '127.0.0.1', r));
    framerUrl = `http://localhost:${(framer.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((r) => framer?.close(r));
  });

  it('works under its Content-Security-Policy on every page, with no violation reported', async () => {
    const t = await ui.page();
    const p = t.page;
    const violations: string[] = [];
    await p.exposeFunction('reportViolation', (v: string) => violations.push(v));
    await p.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { reportViolation(v: string): void }).reportViolation(
          `${e.violatedDirective} ${e.blockedURI} on ${location.pathname}: ${e.sample}`,
        ),
      );
    });
    await login(p, ui.server.url, OWNER, PASSWORD);
    const policy = (await p.request.get(`${ui.server.url}/`)).headers()['content-security-policy'];
    expect(policy).toContain("script-src 'self'");
    for (const [path, heading] of [
      ['/settings/integration/developers/webhooks', 'Webhooks'],
      [`/settings/integration/developers/webhooks/${hookId}`, 'Delivery log'],
      ['/settings/integration/api', 'API'],
      ['/bookings', 'Bookings'],
      ['/orders', 'Online orders'],
    ] as const) {
      await p.goto(`${ui.server.url}${path}`);
      await p.getByRole('heading', { name: heading, level: 1 }).first().waitFor();
    }
    // Swagger UI at /docs runs under the same policy.
    await p.goto(`${ui.server.url}/docs/`);
    await p.locator('.swagger-ui .information-container').waitFor();
    await p.getByText('/v1/facility/{facility_id}/bookings').first().waitFor();
    expect(violations).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it('cannot be framed by another site', async () => {
    const t = await ui.page();
    const p = t.page;
    await p.goto(framerUrl);
    await p.locator('#f').waitFor();
    // Give the frame its chance to load, then look inside: Chromium shows an error page.
    await p.waitForTimeout(1_000);
    const frame = p.frames().find((f) => f !== p.mainFrame());
    const heading = await frame
      ?.getByRole('heading', { name: 'Log in' })
      .count()
      .catch(() => 0);
    expect(heading ?? 0).toBe(0);
    expect(await p.title()).toBe('framer');
  });

  it('asks for the password again when a webhook gets a new URL', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, OWNER, PASSWORD);
    await p.goto(`${ui.server.url}/settings/integration/developers/webhooks/${hookId}/edit`);
    const url = p.getByLabel('Target URL');
    await url.waitFor();
    const hint = p.locator('#wh-password-hint');
    await hint.getByText('Leave blank to keep the current password.').waitFor();

    // The same URL spelt otherwise: the stored password stays.
    await url.fill(ui.receiver.url.replace('http://', 'HTTP://'));
    await hint.getByText('Leave blank to keep the current password.').waitFor();

    // Another tenant of the same receiver (a new path): the form says why it needs the
    // password, and the API insists.
    await url.fill(`${new URL(ui.receiver.url).origin}/hooks/catch/someone-else`);
    await hint.getByText(/The target URL changed: enter the password again/).waitFor();
    expect(await p.getByLabel('Password').getAttribute('required')).not.toBeNull();
    await p.getByRole('button', { name: 'Save webhook' }).click();
    await p
      .locator('#wh-password-error')
      .getByText(/password again/)
      .waitFor();
    const stored = await ui.server.operator('GET', `/v1/facility/the-oyster/webhooks/${hookId}`);
    expect(stored.url).toBe(ui.receiver.url);

    // With the password, the move is saved.
    await url.fill(`http://127.0.0.1:${Number(new URL(ui.receiver.url).port) + 1}/moved`);
    await p.getByLabel('Password').fill('the-stored-password');
    await p.getByRole('button', { name: 'Save webhook' }).click();
    await p.getByText('Webhook saved.').waitFor();
    expect(t.errors).toEqual([]);
  });

  it('shows a stored date the browser cannot read as text and keeps the rest of the page', async () => {
    const booking = await ui.server.operator('POST', '/v1/facility/the-oyster/bookings', {
      num: 2,
      date: '2026-12-31T20:00:00+01:00',
      name: 'Leap Second',
    });
    const fine = await ui.server.operator('POST', '/v1/facility/the-oyster/bookings', {
      num: 4,
      date: '2026-12-30T20:00:00+01:00',
      name: 'Ordinary Guest',
    });
    const order = await ui.server.operator('POST', '/v1/facility/the-oyster/productorders', {
      type: 'pickup',
      items: [{ product_id: 'p', name: 'Pie', quantity: 1, unit_price: 500 }],
      name: 'Leap Order',
      requested_time: '2026-12-31T20:00:00+01:00',
    });
    // As an older version stored them, before the API refused leap seconds.
    const db = new Sqlite(join(ui.server.dataDir, 'tablehooks.sqlite'));
    try {
      db.prepare('update bookings set date = ? where id = ?').run(LEAP, booking.id);
      db.prepare('update productorders set requested_time = ? where id = ?').run(LEAP, order.id);
    } finally {
      db.close();
    }
    expect(fine.id).toBeGreaterThan(0);

    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, OWNER, PASSWORD);
    await p.goto(`${ui.server.url}/bookings`);
    const leap = p.locator('li.row-item', { hasText: 'Leap Second' });
    await leap.getByText(LEAP).waitFor();
    await p.locator('li.row-item', { hasText: 'Ordinary Guest' }).waitFor();
    await p.goto(`${ui.server.url}/orders`);
    await p
      .locator('li.row-item', { hasText: 'Leap Order' })
      .getByText(LEAP, { exact: false })
      .waitFor();
    expect(t.errors).toEqual([]);
  });
});
