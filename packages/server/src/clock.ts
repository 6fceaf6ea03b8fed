// Time and randomness are the only things tests replace: everything else is real.
import { randomBytes, randomFillSync } from 'node:crypto';

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

// Small draws (ids, 16–32 byte keys) come from a pool refilled 4 KiB at a time: a call to
// the CSPRNG per id cost ~8 µs under load, two per booking (docs/performance.md). Each byte
// is handed out once and copied out, as Node's own randomUUID() cache does; large draws go
// straight to the CSPRNG.
const POOL_SIZE = 4096;
const POOLED_MAX = 64;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

function pooledBytes(n: number): Buffer {
  if (n > POOLED_MAX) return randomBytes(n);
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  // Spent bytes are wiped: a later heap dump shows nothing of the ids and keys made from them.
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

export const systemRandom: Random = {
  float: () => Math.random(),
  bytes: pooledBytes,
};
