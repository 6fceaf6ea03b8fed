// Rotating a webhook's signing secret and Basic-Auth credentials with an overlap, as a
// receiver meets it: real triggers, verified by the official Standard Webhooks and Svix
// libraries and by @tablehooks/receiver; a receiver that moves from the old password to the
// new one without losing a trigger.
import { verifySignature } from '@tablehooks/receiver';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  addWebhook,
  createFacility,
  type FacilityApi,
  facilityApi,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { type Received, TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };
const HOUR = 3_600_000;
const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describeEachDialect('rotation with overlap', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: FacilityApi;

  beforeEach(async () => {
    h = await createHarness(
      dialect,
      { pollIntervalMs: 60_000, retrySchedule: [3_600] },
      { dispatcher: true },
    );
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
    api = facilityApi(h, fac);
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const newWebhook = (username = 'zapier', password = 'old-secret-1') =>
    addWebhook(api, { url: receiver.url, username, password, events: ['booking_created'] });

  async function trigger(): Promise<Received> {
    const before = receiver.received.length;
    expect((await api('POST', '/bookings', BOOKING)).status).toBe(201);
    await receiver.waitFor(before + 1);
    return receiver.received.at(-1)!;
  }

  const headersOf = (r: Received) => r.headers as Record<string, string>;
  /** Our own library, with the trigger's own timestamp as "now" (the test clock moves). */
  const verifiesWith = (secret: string, r: Received) => {
    try {
      verifySignature(secret, r.headers, r.body, {
        now: () => Number(r.headers['webhook-timestamp']) * 1000,
      });
      return true;
    } catch {
      return false;
    }
  };

  it('signs with both secrets during the overlap, so either verifies, and with the new one only afterwards', async () => {
    const hook = await newWebhook();
    const old = hook.signing_secret;
    const rotated = await api('POST', `/webhooks/${hook.id}/secret/rotate`, {
      expire_old_after_hours: 2,
    });
    expect(rotated.status, rotated.body).toBe(200);
    const fresh = rotated.json.signing_secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(Date.parse(rotated.json.previous_expires_at) - h.clock.now()).toBeGreaterThan(
      2 * HOUR - 60_000,
    );
    const shown = (await api('GET', `/webhooks/${hook.id}`)).json;
    expect(shown.signing_secret_rotation).toEqual({
      previous_expires_at: rotated.json.previous_expires_at,
    });

    const during = await trigger();
    expect((during.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    for (const secret of [old, fresh]) {
      expect(new StandardWebhook(secret).verify(during.body, headersOf(during))).toBeTruthy();
      expect(new SvixWebhook(secret).verify(during.body, headersOf(during))).toBeTruthy();
      expect(verifiesWith(secret, during)).toBe(true);
    }

    h.clock.advance(2 * HOUR + 1_000);
    const after = await trigger();
    expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    expect(verifiesWith(fresh, after)).toBe(true);
    expect(verifiesWith(old, after)).toBe(false);
    expect((await api('GET', `/webhooks/${hook.id}`)).json.signing_secret_rotation).toBeNull();
    // The secret the API shows is the new one.
    expect((await api('GET', `/webhooks/${hook.id}/secret`)).json.signing_secret).toBe(fresh);
  });

  it('drops the old secret at once with expire_old_after_hours 0, or when the overlap is ended', async () => {
    const hook = await newWebhook();
    const first = (
      await api('POST', `/webhooks/${hook.id}/secret/rotate`, {
        expire_old_after_hours: 0,
      })
    ).json;
    expect(first.previous_expires_at).toBeNull();
    expect(((await trigger()).headers['webhook-signature'] as string).split(' ')).toHaveLength(1);

    // No body: the default overlap of 24 hours.
    const second = (await api('POST', `/webhooks/${hook.id}/secret/rotate`)).json;
    expect(second.previous_expires_at).not.toBeNull();
    expect(((await trigger()).headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    const ended = await api('DELETE', `/webhooks/${hook.id}/secret/previous`);
    expect(ended.json.signing_secret_rotation).toBeNull();
    const last = await trigger();
    expect((last.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    expect(verifiesWith(second.signing_secret, last)).toBe(true);
    expect(verifiesWith(first.signing_secret, last)).toBe(false);
  });

  it('moves a receiver from the old password to the new one without losing a trigger, and logs which it accepted', async () => {
    const hook = await newWebhook('zapier', 'old-secret-1');
    let accepted = [basic('zapier', 'old-secret-1')];
    receiver.setDefault((res) => {
      const auth = receiver.received.at(-1)!.headers.authorization ?? '';
      res.writeHead(accepted.includes(auth) ? 200 : 401);
      res.end();
    });
    const rotated = await api('POST', `/webhooks/${hook.id}/credentials/rotate`, {
      username: 'zapier-2',
      password: 'new-secret-2',
      overlap_hours: 48,
    });
    expect(rotated.status, rotated.body).toBe(200);
    expect(rotated.body).not.toContain('new-secret-2');
    expect(rotated.body).not.toContain('old-secret-1');
    expect(rotated.json.username).toBe('zapier-2');
    expect(rotated.json.credentials_rotation).toMatchObject({
      previous_username: 'zapier',
      receiver_accepts: null,
    });

    // 1. The receiver knows only the old password: refused with the new, at once the old.
    await trigger();
    await receiver.waitFor(2);
    expect(receiver.received.slice(-2).map((r) => r.headers.authorization)).toEqual([
      basic('zapier-2', 'new-secret-2'),
      basic('zapier', 'old-secret-1'),
    ]);
    await expect
      .poll(async () => (await api('GET', `/webhooks/${hook.id}`)).json.credentials_rotation)
      .toMatchObject({ receiver_accepts: 'old' });
    const [first] = (await api('GET', `/webhooks/${hook.id}/deliveries`)).json.objects;
    const detail = (await api('GET', `/webhooks/${hook.id}/deliveries/${first.id}`)).json;
    expect(detail.status).toBe('succeeded');
    expect(detail.attempts.map((a: any) => [a.status_code, a.credentials])).toEqual([
      [401, 'new'],
      [200, 'old'],
    ]);

    // 2. Both: the new ones go through at once.
    accepted = [basic('zapier', 'old-secret-1'), basic('zapier-2', 'new-secret-2')];
    const before = receiver.received.length;
    await trigger();
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received.length).toBe(before + 1);
    await expect
      .poll(async () => (await api('GET', `/webhooks/${hook.id}`)).json.credentials_rotation)
      .toMatchObject({ receiver_accepts: 'new' });

    // 3. Only the new ones.
    accepted = [basic('zapier-2', 'new-secret-2')];
    await trigger();
    const log = (await api('GET', `/webhooks/${hook.id}/deliveries`)).json.objects;
    await expect
      .poll(async () =>
        (await api('GET', `/webhooks/${hook.id}/deliveries`)).json.objects.map(
          (d: any) => d.status,
        ),
      )
      .toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(log).toHaveLength(3);

    // Ended by hand: only the new ones, and nothing falls back any more.
    const ended = await api('DELETE', `/webhooks/${hook.id}/credentials/previous`);
    expect(ended.json.credentials_rotation).toBeNull();
    accepted = [basic('zapier', 'old-secret-1')];
    const count = receiver.received.length;
    await trigger();
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(count + 1);
    expect(receiver.received.at(-1)!.headers.authorization).toBe(basic('zapier-2', 'new-secret-2'));
  });

  it('stops falling back to the old credentials when the overlap has passed', async () => {
    const hook = await newWebhook('u', 'old-pass-9');
    receiver.setDefault({ status: 401 });
    await api('POST', `/webhooks/${hook.id}/credentials/rotate`, {
      password: 'new-pass-9',
      overlap_hours: 1,
    });
    h.clock.advance(HOUR + 1_000);
    const count = receiver.received.length;
    await trigger();
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(count + 1);
    expect(receiver.received.at(-1)!.headers.authorization).toBe(basic('u', 'new-pass-9'));
    expect((await api('GET', `/webhooks/${hook.id}`)).json.credentials_rotation).toBeNull();
  });

  it('refuses a bad rotation with a 400 naming the field', async () => {
    const hook = await newWebhook();
    const noPassword = await api('POST', `/webhooks/${hook.id}/credentials/rotate`, {});
    expect(noPassword.status).toBe(400);
    expect(noPassword.json.error.field).toBe('password');
    const colon = await api('POST', `/webhooks/${hook.id}/credentials/rotate`, {
      username: 'a:b',
      password: 'x',
    });
    expect(colon.json.error.field).toBe('username');
    const hours = await api('POST', `/webhooks/${hook.id}/secret/rotate`, {
      expire_old_after_hours: -1,
    });
    expect(hours.status).toBe(400);
    expect(hours.json.error.field).toBe('expire_old_after_hours');
    expect((await api('POST', '/webhooks/wh_nope/secret/rotate', {})).status).toBe(404);
  });
});
