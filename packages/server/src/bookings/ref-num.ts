import type { Random } from '../clock.js';

// Crockford's base32: no I, L, O or U, so a reference read out on the phone is unambiguous.
const REF_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short reference for guests and staff; 40 random bits, unbiased (256 % 32 === 0). */
export function newRefNum(random: Random): string {
  return [...random.bytes(8)].map((b) => REF_ALPHABET[b & 31]).join('');
}
