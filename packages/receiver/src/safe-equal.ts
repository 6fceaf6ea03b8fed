// The one place secrets are compared. Both sides are hashed first, so timingSafeEqual always
// sees two 32-byte digests: it never throws on a length mismatch (which would return early
// and reveal the secret's length) and takes the same time whatever the inputs are.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A per-process key, so digests of attacker-chosen input cannot be precomputed.
const key = randomBytes(32);

const digest = (value: string | Uint8Array): Buffer =>
  createHmac('sha256', key)
    .update(typeof value === 'string' ? Buffer.from(value, 'utf8') : value)
    .digest();

/** Compares two secrets in constant time, whatever their lengths. */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
