// The retry schedule and Retry-After, as tables: pure functions, no store needed.
import { describe, expect, it } from 'vitest';
import { limitRetryAfter, retryDelayMs } from '../../src/dispatcher/retry-schedule.js';

const SCHEDULE = [5, 60, 300];

describe('retryDelayMs', () => {
  it.each([
    // tries, random, expected ms
    [1, 0.5, 5_000],
    [2, 0.5, 60_000],
    [3, 0.5, 300_000],
    // ±20% jitter at the ends of [0, 1)
    [1, 0, 4_000],
    [2, 0, 48_000],
    [1, 0.999_999, 6_000],
    [3, 0.25, 270_000],
  ])('after %i failed tries with random %d waits %i ms', (tries, random, expected) => {
    expect(retryDelayMs(tries, SCHEDULE, random)).toBe(expected);
  });

  it.each([
    [4, SCHEDULE],
    [10, SCHEDULE],
    [1, []],
  ])('gives up after %i tries of a schedule of %j', (tries, schedule) => {
    expect(retryDelayMs(tries, schedule, 0.5)).toBeUndefined();
  });
});

describe('limitRetryAfter', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it.each([
    ['no header: the schedule', undefined, 60_000, 60_000],
    ['seconds within the bounds', '90', 60_000, 90_000],
    ['seconds below the schedule: never sooner', '10', 60_000, 60_000],
    ['seconds far beyond: at most twice the schedule', '86400', 60_000, 120_000],
    ['an HTTP date', 'Wed, 02 Dec 2026 10:01:30 GMT', 60_000, 90_000],
    ['a date in the past', 'Wed, 02 Dec 2026 09:00:00 GMT', 60_000, 60_000],
    ['garbage', 'soon', 60_000, 60_000],
    ['a negative number', '-5', 60_000, 60_000],
    ['spaces around seconds', ' 75 ', 60_000, 75_000],
  ])('%s', (_title, header, scheduled, expected) => {
    expect(limitRetryAfter(scheduled, header, now)).toBe(expected);
  });
});
