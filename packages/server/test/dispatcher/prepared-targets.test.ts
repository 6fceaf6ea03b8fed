// The prepared-target cache: a webhook's decrypted credentials and signing keys are kept
// between claims, but never past an edit of the row or the end of a rotation's overlap.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PreparedTargets } from '../../src/dispatcher/request.js';
import { signingKey } from '../../src/dispatcher/signature.js';
import type { WebhookTarget } from '../../src/dispatcher/sql/load-webhooks.js';
import { SecretBox } from '../../src/security/secret-box.js';

const box = new SecretBox(randomBytes(32), randomBytes);
const PUBLIC = 'https://hooks.example';

function row(over: Partial<WebhookTarget> = {}): WebhookTarget {
  return {
    id: 'wh_1',
    facility_id: 'the-fish',
    url: 'https://receiver.example/hook',
    username: 'alice',
    password_enc: box.seal('pw-1', 'wh_1'),
    signing_secret_enc: box.seal('whsec_AAAA', 'wh_1'),
    max_age_hours: null,
    previous_signing_secret_enc: null,
    previous_signing_secret_until: null,
    previous_username: null,
    previous_password_enc: null,
    previous_credentials_until: null,
    active: true,
    ...over,
  };
}

const basic = (user: string, pw: string) =>
  `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

describe('prepared targets', () => {
  it('decrypts once for an unchanged row, again after the password is changed', () => {
    const cache = new PreparedTargets();
    const first = row();
    const a = cache.get(first, box, PUBLIC, 1_000);
    expect(cache.get({ ...first }, box, PUBLIC, 2_000)).toBe(a);
    expect(a.authorization).toBe(basic('alice', 'pw-1'));

    const changed = cache.get(
      { ...first, password_enc: box.seal('pw-2', 'wh_1') },
      box,
      PUBLIC,
      3_000,
    );
    expect(changed).not.toBe(a);
    expect(changed.authorization).toBe(basic('alice', 'pw-2'));
  });

  it('a new URL or a new public address is used at once', () => {
    const cache = new PreparedTargets();
    const r = row();
    cache.get(r, box, PUBLIC, 0);
    expect(cache.get({ ...r, url: 'https://other.example/' }, box, PUBLIC, 0).url).toBe(
      'https://other.example/',
    );
    expect(cache.get(r, box, 'https://new.example', 0).linkPrefix.booking).toBe(
      '<https://new.example/v1/facility/the-fish/bookings/',
    );
  });

  it('drops the rotated-out signing secret and credentials when their overlap ends', () => {
    const cache = new PreparedTargets();
    const r = row({
      previous_signing_secret_enc: box.seal('whsec_BBBB', 'wh_1'),
      previous_signing_secret_until: 10_000,
      previous_username: 'old',
      previous_password_enc: box.seal('old-pw', 'wh_1'),
      previous_credentials_until: 20_000,
    });
    const during = cache.get(r, box, PUBLIC, 5_000);
    expect(during.signingKeys).toEqual([signingKey('whsec_AAAA'), signingKey('whsec_BBBB')]);
    expect(during.fallbackAuthorization).toBe(basic('old', 'old-pw'));

    const afterSecret = cache.get(r, box, PUBLIC, 10_000);
    expect(afterSecret.signingKeys).toEqual([signingKey('whsec_AAAA')]);
    expect(afterSecret.fallbackAuthorization).toBe(basic('old', 'old-pw'));

    const afterBoth = cache.get(r, box, PUBLIC, 20_000);
    expect(afterBoth.fallbackAuthorization).toBeUndefined();
  });

  it('keeps no entry for secrets that do not open, and stays bounded', () => {
    const cache = new PreparedTargets(2);
    const other = new SecretBox(randomBytes(32), randomBytes);
    expect(() =>
      cache.get(row({ password_enc: other.seal('x', 'wh_1') }), box, PUBLIC, 0),
    ).toThrow();
    expect(cache.size).toBe(0);
    for (const id of ['wh_a', 'wh_b', 'wh_c']) {
      cache.get(
        row({ id, password_enc: box.seal('p', id), signing_secret_enc: null }),
        box,
        PUBLIC,
        0,
      );
    }
    expect(cache.size).toBe(2);
  });
});
