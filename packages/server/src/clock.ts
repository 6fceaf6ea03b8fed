// Time and randomness are the only things tests replace: everything else is real.
import { randomBytes } from 'node:crypto';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Random {
  /** A float in [0, 1): jitter. */
  float(): number;
  /** n cryptographically strong random bytes: ids, keys, secrets. */
  bytes(n: number): Buffer;
}

export const systemRandom: Random = {
  float: () => Math.random(),
  bytes: (n) => randomBytes(n),
};
