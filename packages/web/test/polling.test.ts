// What the delivery log costs the server while it is open: its requests per minute, with
// the tab in front and in the background. Counted in Chromium over a fixed window of the
// page's own polling (the number is printed for the record; the assertions are about which
// requests are made, not how long anything takes).
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { login } from './support/browser.js';
import { createFacility } from './support/server.js';
import { useUi } from './support/ui.js';

const PASSWORD = 'a long and good password';
const WINDOW_MS = 30_000;

describe('the delivery log’s polling', () => {
  const ui = useUi();
  let webhookId = '';

  beforeAll(async () => {
    await createFacility(ui.server, { id: 'poll-inn', name: 'Poll Inn', plan: 'premium' }, [
      { email: 'owner@poll-inn.example', password: PASSWORD, role: 'owner' },
    ]);
    const w = await ui.server.operator('POST', '/v1/facility/poll-inn/webhooks', {
      url: ui.receiver.url,
      username: 'zapier',
      password: 's3cret',
      events: ['booking_created'],
    });
    webhookId = w.id;
  });

  /** Every /v1/ request the page makes while `during` runs. */
  async function count(p: Page, during: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    const on = (r: { url(): string }) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/v1/')) seen.push(u.pathname + u.search);
    };
    p.on('request', on);
    await during();
    p.off('request', on);
    return seen;
  }

  const hide = (p: Page, hidden: boolean) =>
    p.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => (h ? 'hidden' : 'visible'),
      });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);

  it('polls without fetching rows for the chart, and not at all in a background tab', async () => {
    const t = await ui.page();
    const p = t.page;
    await login(p, ui.server.url, 'owner@poll-inn.example', PASSWORD);
    await p.goto(`${ui.server.url}/settings/integration/developers/webhooks/${webhookId}`);
    await p.getByRole('heading', { name: 'Delivery log', level: 1 }).waitFor();
    await p.locator('.chart').waitFor();

    const visible = await count(p, () => p.waitForTimeout(WINDOW_MS));
    const perMinute = (visible.length * 60_000) / WINDOW_MS;
    process.stdout.write(
      `delivery log, tab in front: ${perMinute} requests/minute (${[...new Set(visible.map((v) => v.split('?')[0]!.replace(/.*\/webhooks\/[^/]+/, '…')))].join(', ')})\n`,
    );
    // The chart is counted by the server: no page of up to 500 deliveries to draw it.
    expect(visible.filter((u) => u.includes('limit=500'))).toEqual([]);
    expect(visible.some((u) => u.endsWith('/stats?hours=24'))).toBe(true);

    await hide(p, true);
    const hidden = await count(p, () => p.waitForTimeout(WINDOW_MS / 3));
    process.stdout.write(`delivery log, tab in background: ${hidden.length} requests\n`);
    expect(hidden).toEqual([]);
    expect(t.errors).toEqual([]);
  });
});
