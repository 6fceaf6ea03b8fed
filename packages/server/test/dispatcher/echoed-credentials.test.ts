// Issue #13 item 2: a receiver that echoes our request back, spelling the Authorization
// header in every common encoding (and cut by the 4 KiB cap anywhere), through the real
// dispatcher: what the delivery log shows holds no credential in any of those spellings.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { leaksOf, SPELLINGS } from '../support/encodings.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';

const PASSWORD = 'Ech0ed pässword+/&=%';
const USER = 'n8n-relay';

/** Echoes what it got: the header, the pair it decodes to and the password, each spelt `spell`. */
function echo(spell: (s: string) => string, padding = 0) {
  return (res: ServerResponse) => {
    const auth = String(res.req.headers.authorization ?? '');
    const pair = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const password = pair.slice(pair.indexOf(':') + 1);
    res.writeHead(401, { 'content-type': 'text/plain' });
    res.end(
      `${'.'.repeat(padding)}authorization=${spell(auth)}\nuser:pass=${spell(pair)}\npassword=${spell(password)}\n`,
    );
  };
}

describeEachDialect('credentials echoed by a receiver', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  beforeAll(async () => {
    h = await createHarness(dialect, { retrySchedule: [3600] }, { dispatcher: true });
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  async function hookWith(password: string) {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: { url: receiver.url, username: USER, password, events: ['booking_created'] },
    });
    expect(res.status, res.body).toBe(201);
    return res.json.id as string;
  }

  /** Sends a test trigger and answers what the delivery log stored for it. */
  async function storedAnswer(hook: string): Promise<string> {
    // Past the limit of test triggers a minute per webhook.
    h.clock.advance(61_000);
    const test = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks/${hook}/test`,
      key: fac.key,
    });
    expect(test.status, test.body).toBe(200);
    const log = await call(h, {
      method: 'GET',
      url: `/v1/facility/${fac.id}/webhooks/${hook}/deliveries`,
      key: fac.key,
    });
    const one = await call(h, {
      method: 'GET',
      url: `/v1/facility/${fac.id}/webhooks/${hook}/deliveries/${log.json.objects[0].id}`,
      key: fac.key,
    });
    return one.json.attempts.at(-1).response_body as string;
  }

  it('stores no spelling of the credentials, in any encoding the receiver chose', async () => {
    const hook = await hookWith(PASSWORD);
    const token = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    for (const [how, spell] of SPELLINGS) {
      receiver.queue(echo(spell));
      const stored = await storedAnswer(hook);
      expect(
        leaksOf(stored, [token, `${USER}:${PASSWORD}`, PASSWORD]),
        `${how}: ${stored}`,
      ).toEqual([]);
      expect(stored, how).toContain('[redacted]');
    }
  }, 120_000);

  it('stores no start of the token where the 4 KiB cap cut through it', async () => {
    const hook = await hookWith(PASSWORD);
    const token = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    // "authorization=Basic " is 20 characters: the cap falls inside the token at every offset.
    for (let inToken = 1; inToken < token.length; inToken += 3) {
      receiver.queue(echo((s) => s, 4096 - 20 - inToken));
      const stored = await storedAnswer(hook);
      expect(stored.replaceAll('[redacted]', ''), `cut ${inToken}`).not.toContain(
        token.slice(0, Math.max(inToken, 1)),
      );
    }
  }, 120_000);

  it('blanks out a password too short to search for, where the echo labels it', async () => {
    const hook = await hookWith('pw');
    receiver.queue(echo((s) => s));
    const stored = await storedAnswer(hook);
    expect(stored).toContain('[redacted]');
    expect(stored).not.toContain(Buffer.from(`${USER}:pw`).toString('base64'));
    expect(stored).not.toContain(`${USER}:pw`);
    expect(stored).not.toMatch(/password=pw/);
  });

  it('stores no credentials echoed into a redirect’s Location either', async () => {
    const hook = await hookWith(PASSWORD);
    const token = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    receiver.queue((res) => {
      res.writeHead(302, {
        location: `https://evil.example/?auth=${encodeURIComponent(String(res.req.headers.authorization))}`,
      });
      res.end();
    });
    h.clock.advance(61_000);
    const test = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks/${hook}/test`,
      key: fac.key,
    });
    const attempt = test.json.attempt;
    expect(attempt.error_class).toBe('redirect');
    expect(attempt.error_message).toContain('redirect to https://evil.example/');
    expect(leaksOf(attempt.error_message, [token, PASSWORD])).toEqual([]);
  });
});
