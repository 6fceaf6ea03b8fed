import { describe, expect, it } from 'vitest';
import { systemRandom } from '../src/clock.js';

describe('systemRandom.bytes', () => {
  it('hands out fresh bytes of the size asked for, across pool refills', () => {
    const seen = new Set<string>();
    // 16 × 1,000 bytes is nearly four refills of the 4 KiB pool; sizes that don't divide it
    // land on the boundary too.
    for (let i = 0; i < 1_000; i++) {
      const size = [16, 24, 32, 7][i % 4]!;
      const b = systemRandom.bytes(size);
      expect(b.length).toBe(size);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(1_000);
  });

  it('returns copies: a key drawn earlier keeps its value when the pool is refilled', () => {
    const key = systemRandom.bytes(32);
    const before = key.toString('hex');
    // More than the whole pool: it is refilled (and its spent bytes wiped) at least once.
    for (let i = 0; i < 300; i++) systemRandom.bytes(16);
    expect(key.toString('hex')).toBe(before);
    expect(systemRandom.bytes(1_000).length).toBe(1_000);
  });
});
