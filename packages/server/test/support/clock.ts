import type { Clock, Random } from '../../src/clock.js';
import { systemRandom } from '../../src/clock.js';

/** Real time plus an offset the test can move forward, so timeouts stay real but retries can be skipped to. */
export class TestClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** Jitter fixed at its midpoint, so schedules are exact; bytes stay random (ids must not collide). */
export const noJitter: Random = { float: () => 0.5, bytes: systemRandom.bytes };
