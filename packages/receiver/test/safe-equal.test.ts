// The comparison's timing is shown by its structure, not measured: every secret comparison
// reaches crypto.timingSafeEqual as two 32-byte digests, once per compared value, whatever the
// inputs' lengths and wherever they differ, so there is no early exit to time.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const compared = vi.hoisted(() => [] as [number, number][]);
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([a.byteLength, b.byteLength]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const { safeEqual } = await import('../src/safe-equal.js');
const { sign, verifyBasicAuth, verifySignature } = await import('../src/index.js');

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const attempt = (run: () => unknown) => {
  try {
    run();
    return true;
  } catch {
    return false;
  }
};

beforeEach(() => {
  compared.length = 0;
});

describe('the constant-time comparison', () => {
  const pairs: [string, string, string, boolean][] = [
    ['equal values', 's3cret', 's3cret', true],
    ['a difference in the first byte', 's3cret', 'x3cret', false],
    ['a difference in the last byte', 's3cret', 's3creX', false],
    ['a one-byte guess against a long secret', 'x', 'a'.repeat(4096), false],
    ['an empty guess', '', 's3cret', false],
    ['a guess far longer than the secret', 's3cret'.repeat(1000), 's3cret', false],
  ];

  it.each(pairs)('compares two 32-byte digests once for %s', (_title, a, b, equal) => {
    expect(safeEqual(a, b)).toBe(equal);
    expect(compared).toEqual([[32, 32]]);
  });
});

describe('verifyBasicAuth compares through it', () => {
  const headers: [string, string, boolean][] = [
    ['right credentials', basic('zapier:s3cret'), true],
    ['a wrong user name (the password is still compared)', basic('nobody:s3cret'), false],
    ['a wrong password', basic('zapier:wrong'), false],
    [
      'both wrong and 10 000 characters long',
      basic(`${'u'.repeat(5000)}:${'p'.repeat(5000)}`),
      false,
    ],
    ['both wrong and one character each', basic('u:p'), false],
  ];

  it.each(headers)('makes exactly two digest comparisons for %s', (_title, header, ok) => {
    expect(attempt(() => verifyBasicAuth(header, 'zapier', 's3cret'))).toBe(ok);
    expect(compared).toEqual([
      [32, 32],
      [32, 32],
    ]);
  });
});

describe('verifySignature compares through it', () => {
  const secret = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
  const now = 1_800_000_000;
  const body = '{"id": 1, "facility_id": "the-fish", "action": "BOOKING_CREATED"}';
  const good = sign(secret, 'msg_1', now, body);
  const cases: [string, string, boolean, number][] = [
    ['one right signature', good, true, 1],
    ['one wrong signature of another length', 'v1,short', false, 1],
    ['three wrong signatures', 'v1,AAAA v1,BBBB v1,CCCC', false, 3],
  ];

  it.each(cases)('compares digests only, for %s', (_title, signatures, ok, count) => {
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(now),
      'webhook-signature': signatures,
    };
    expect(attempt(() => verifySignature(secret, headers, body, { now: () => now * 1000 }))).toBe(
      ok,
    );
    expect(compared).toEqual(Array(count).fill([32, 32]));
  });
});
