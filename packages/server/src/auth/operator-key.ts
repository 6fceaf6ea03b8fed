import { createHash, timingSafeEqual } from 'node:crypto';
import type { Random } from '../clock.js';
import type { Store } from '../db/dialect.js';
import { sha256Hex } from '../security/hashing.js';

const SETTING = 'operator_key_sha256';

export interface OperatorKey {
  /** True when the key matches, compared in constant time. */
  matches(candidate: string): boolean;
  /** The same, given the candidate's SHA-256 (the API key lookup needs it anyway). */
  matchesDigest?(candidateSha256: Buffer): boolean;
}

/**
 * TABLEHOOKS_OPERATOR_KEY when set; otherwise the one stored (as a hash) on first start.
 * Returns the plaintext only when it was generated just now, for main.ts to print once.
 */
export async function ensureOperatorKey(
  store: Store,
  configured: string | undefined,
  random: Random,
): Promise<{ key: OperatorKey; generated?: string }> {
  if (configured) return { key: matcher(sha256Hex(configured)) };
  const candidate = `op_${random.bytes(24).toString('base64url')}`;
  // Several processes may start at once: the first insert wins, the others read it back.
  await store.db
    .insertInto('settings')
    .values({ key: SETTING, value: sha256Hex(candidate) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await store.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', SETTING)
    .executeTakeFirstOrThrow();
  const key = matcher(row.value);
  return row.value === sha256Hex(candidate) ? { key, generated: candidate } : { key };
}

// Every API request with a key asks this first, so one hash and a constant-time compare of
// two digests of the same length: nothing about the key leaks through the time it takes.
// (A stored hash that is not 64 hex digits matches nothing, as before.)
function matcher(hashHex: string): OperatorKey {
  const expected = Buffer.from(hashHex, 'hex');
  if (expected.length !== 32) return { matches: () => false, matchesDigest: () => false };
  const matchesDigest = (digest: Buffer) =>
    digest.length === expected.length && timingSafeEqual(digest, expected);
  return {
    matches: (candidate) => matchesDigest(createHash('sha256').update(candidate, 'utf8').digest()),
    matchesDigest,
  };
}
