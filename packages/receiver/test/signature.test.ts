import { describe, expect, it } from 'vitest';
import {
  type SignatureOptions,
  sign,
  type VerificationReason,
  verifySignature,
  WebhookVerificationError,
} from '../src/index.js';

// The example of the Standard Webhooks specification, so the format is checked against a
// value this library did not compute.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const secret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
const other = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
const now = 1_800_000_000;
const id = 'msg_2uPRC8Cew4yrHpXj';
const body = '{"id": 51918313, "facility_id": "the-fish", "action": "BOOKING_CREATED"}';
const clock = { now: () => now * 1000 };

function headers(over: Record<string, string | undefined> = {}): Record<string, string> {
  const all = {
    'webhook-id': id,
    'webhook-timestamp': String(now),
    'webhook-signature': sign(secret, id, now, body),
    ...over,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

function outcome(run: () => unknown): VerificationReason | 'verified' {
  try {
    run();
    return 'verified';
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    expect(error.status).toBe(401);
    return error.reason;
  }
}

describe('verifySignature', () => {
  it('verifies the Standard Webhooks specification example', () => {
    const given = {
      'webhook-id': SPEC.id,
      'webhook-timestamp': String(SPEC.timestamp),
      'webhook-signature': SPEC.signature,
    };
    const at = { now: () => SPEC.timestamp * 1000 };
    expect(verifySignature(SPEC.secret, given, SPEC.body, at)).toEqual({
      id: SPEC.id,
      timestamp: SPEC.timestamp,
    });
    expect(sign(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  const good = sign(secret, id, now, body);
  const stale = (seconds: number) => ({
    'webhook-timestamp': String(now + seconds),
    'webhook-signature': sign(secret, id, now + seconds, body),
  });
  const cases: [
    string,
    Record<string, string | undefined>,
    VerificationReason | 'verified',
    SignatureOptions?,
  ][] = [
    ['a right signature', {}, 'verified'],
    [
      'the right signature first of several',
      { 'webhook-signature': `${good} v1,AAAA v1,BBBB` },
      'verified',
    ],
    [
      'the right signature last of several',
      { 'webhook-signature': `v1,AAAA ${sign(other, id, now, body)} ${good}` },
      'verified',
    ],
    [
      'a version this library does not know beside a right one',
      { 'webhook-signature': `v1a,AAAA ${good}` },
      'verified',
    ],
    ['a timestamp at the edge of the past tolerance', stale(-300), 'verified'],
    ['a timestamp at the edge of the future tolerance', stale(300), 'verified'],
    ['a timestamp just beyond the past tolerance', stale(-301), 'timestamp_too_old'],
    ['a timestamp just beyond the future tolerance', stale(301), 'timestamp_too_new'],
    ['a timestamp within a wider tolerance', stale(-3600), 'verified', { toleranceSeconds: 3600 }],
    [
      'a timestamp beyond a narrower tolerance',
      stale(11),
      'timestamp_too_new',
      { toleranceSeconds: 10 },
    ],
    [
      'a signature made with another secret',
      { 'webhook-signature': sign(other, id, now, body) },
      'no_matching_signature',
    ],
    ['a signature of another webhook-id', { 'webhook-id': 'msg_other' }, 'no_matching_signature'],
    [
      'a timestamp changed within the tolerance',
      { 'webhook-timestamp': String(now + 1) },
      'no_matching_signature',
    ],
    [
      'the right signature under an unknown version',
      { 'webhook-signature': good.replace('v1,', 'v2,') },
      'no_matching_signature',
    ],
    [
      'the right signature without its version',
      { 'webhook-signature': good.slice(3) },
      'no_matching_signature',
    ],
    ['no webhook-id', { 'webhook-id': undefined }, 'missing_signature_headers'],
    ['no webhook-timestamp', { 'webhook-timestamp': undefined }, 'missing_signature_headers'],
    ['no webhook-signature', { 'webhook-signature': undefined }, 'missing_signature_headers'],
    [
      'a timestamp in milliseconds',
      { 'webhook-timestamp': String(now * 1000) },
      'timestamp_too_new',
    ],
    [
      'a timestamp that is not a number',
      { 'webhook-timestamp': 'yesterday' },
      'malformed_timestamp',
    ],
    ['a fractional timestamp', { 'webhook-timestamp': `${now}.5` }, 'malformed_timestamp'],
    ['a negative timestamp', { 'webhook-timestamp': `-${now}` }, 'malformed_timestamp'],
  ];
  const byOutcome = cases.map(
    ([title, over, expected, options]) => [title, expected, over, options] as const,
  );
  it.each(byOutcome)('%s: %s', (_title, expected, over, options) => {
    expect(
      outcome(() => verifySignature(secret, headers(over), body, { ...clock, ...options })),
    ).toBe(expected);
  });

  const tampered: [string, string][] = [
    ['a changed id', body.replace('51918313', '51918314')],
    ['a changed action', body.replace('CREATED', 'DELETED')],
    ['added whitespace', `${body} `],
    ['the same JSON re-serialised', JSON.stringify(JSON.parse(body))],
  ];
  it.each(tampered)('refuses a body with %s', (_title, changed) => {
    expect(outcome(() => verifySignature(secret, headers(), changed, clock))).toBe(
      'no_matching_signature',
    );
  });

  it('accepts the secret with or without its whsec_ prefix', () => {
    expect(outcome(() => verifySignature(secret.slice(6), headers(), body, clock))).toBe(
      'verified',
    );
    const bare = sign(secret.slice(6), id, now, body);
    expect(bare).toBe(good);
  });

  it('accepts either secret while a receiver rotates its own', () => {
    expect(outcome(() => verifySignature([other, secret], headers(), body, clock))).toBe(
      'verified',
    );
    expect(outcome(() => verifySignature([secret, other], headers(), body, clock))).toBe(
      'verified',
    );
    expect(outcome(() => verifySignature([other], headers(), body, clock))).toBe(
      'no_matching_signature',
    );
  });

  it('reads headers from a Headers object, Node headers and a plain object in any case', () => {
    const h = headers();
    const mixedCase = Object.fromEntries(
      Object.entries(h).map(([k, v]) => [k.replace(/(^|-)w/g, (m) => m.toUpperCase()), v]),
    );
    for (const source of [new Headers(h), h, mixedCase]) {
      expect(verifySignature(secret, source, body, clock).id).toBe(id);
    }
  });

  it('signs the raw bytes, so a Buffer body and its string verify alike, even when not UTF-8', () => {
    expect(verifySignature(secret, headers(), Buffer.from(body), clock).id).toBe(id);
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const signed = headers({ 'webhook-signature': sign(secret, id, now, bytes) });
    expect(outcome(() => verifySignature(secret, signed, bytes, clock))).toBe('verified');
  });

  it.each(['', 'whsec_', 'whsec_not base64!', 'not-a-secret'])(
    'throws a TypeError, not a verification error, for the misconfigured secret %j',
    (bad) => {
      expect(() => verifySignature(bad, headers(), body, clock)).toThrow(TypeError);
    },
  );
});
