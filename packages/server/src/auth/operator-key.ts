import type { Random } from '../clock.js';
import type { Store } from '../db/dialect.js';
import { safeEqual, sha256Hex } from '../security/hashing.js';

const SETTING = 'operator_key_sha256';

export interface OperatorKey {
  /** True when the key matches, compared in constant time. */
  matches(candidate: string): boolean;
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
  if (configured) {
    const hash = sha256Hex(configured);
    return { key: { matches: (c) => safeEqual(sha256Hex(c), hash) } };
  }
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
  const hash = row.value;
  const key: OperatorKey = { matches: (c) => safeEqual(sha256Hex(c), hash) };
  return hash === sha256Hex(candidate) ? { key, generated: candidate } : { key };
}
