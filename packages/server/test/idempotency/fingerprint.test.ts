import { describe, expect, it } from 'vitest';
import { canonicalJson, requestFingerprint } from '../../src/idempotency/fingerprint.js';

describe('the request fingerprint behind Idempotency-Key', () => {
  it.each([
    [
      'keys sorted at every depth',
      { b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } },
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    ],
    ['arrays keep their order', [3, 1, 2], '[3,1,2]'],
    ['undefined fields left out, as JSON does', { a: undefined, b: 'x' }, '{"b":"x"}'],
    ['strings escaped as JSON', { 'k"': 'line\nbreak' }, '{"k\\"":"line\\nbreak"}'],
    ['no body at all', undefined, 'null'],
  ])('writes canonical JSON: %s', (_what, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('is the same for the same body in another key order, and differs by body, method or route', () => {
    const route = '/v1/facility/:facility_id/bookings';
    const base = requestFingerprint('POST', route, { num: 2, name: 'A' });
    expect(requestFingerprint('POST', route, { name: 'A', num: 2 })).toBe(base);
    expect(requestFingerprint('POST', route, { name: 'A', num: 3 })).not.toBe(base);
    expect(
      requestFingerprint('POST', '/v1/facility/:facility_id/productorders', { name: 'A', num: 2 }),
    ).not.toBe(base);
    expect(requestFingerprint('PUT', route, { name: 'A', num: 2 })).not.toBe(base);
  });
});
