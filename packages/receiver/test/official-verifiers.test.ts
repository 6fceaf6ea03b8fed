// The official verifiers agree with this library both ways: what they sign, it verifies,
// and what it signs, they verify. Both check against the real clock, so these tests do too.
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from '../src/index.js';

const secret = `whsec_${Buffer.from('tablehooks-cross-check-secret').toString('base64')}`;
const rotated = `whsec_${Buffer.from('tablehooks-the-next-secret!!').toString('base64')}`;
const body = '{"id": 51918313, "facility_id": "the-fish", "action": "BOOKING_CREATED"}';
const id = 'msg_2uPRC8Cew4yrHpXjLw7Q';

const officials = [
  ['standardwebhooks', (s: string) => new StandardWebhook(s)],
  ['svix', (s: string) => new SvixWebhook(s)],
] as const;

describe.each(officials)('against %s', (_name, make) => {
  for (const form of ['whsec_ prefixed', 'bare base64'] as const) {
    const theirs = form === 'bare base64' ? secret.slice('whsec_'.length) : secret;

    it(`verifies what it signs (secret ${form})`, () => {
      const now = new Date();
      const signature = make(theirs).sign(id, now, body);
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      };
      expect(verifySignature(secret, headers, body).id).toBe(id);
      expect(verifySignature(theirs, headers, Buffer.from(body)).id).toBe(id);
    });

    it(`has what this library signs verified by it (secret ${form})`, () => {
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': sign(secret, id, timestamp, body),
      };
      expect(make(theirs).verify(body, headers)).toEqual(JSON.parse(body));
    });
  }

  it('agrees on a header with two signatures (a rotation): either secret verifies', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `${sign(secret, id, timestamp, body)} ${sign(rotated, id, timestamp, body)}`,
    };
    for (const s of [secret, rotated]) {
      expect(make(s).verify(body, headers)).toEqual(JSON.parse(body));
      expect(verifySignature(s, headers, body).id).toBe(id);
    }
  });

  it('agrees on refusing a tampered body', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': make(secret).sign(id, new Date(timestamp * 1000), body),
    };
    const tampered = body.replace('CREATED', 'DELETED');
    expect(() => make(secret).verify(tampered, headers)).toThrow();
    expect(() => verifySignature(secret, headers, tampered)).toThrow(/no signature matches/);
  });
});
