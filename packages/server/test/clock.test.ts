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

  it('returns copies: changing one leaves the next draws alone', () => {
    const a = systemRandom.bytes(32);
    a.fill(0);
    const b = systemRandom.bytes(32);
    expect(b.equals(Buffer.alloc(32))).toBe(false);
    expect(systemRandom.bytes(1_000).length).toBe(1_000);
  });
});
