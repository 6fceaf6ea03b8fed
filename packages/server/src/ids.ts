import type { Random } from './clock.js';

/** Random, unguessable ids ("wh_…", "msg_…"): another facility can't enumerate them. */
export function newId(random: Random, prefix: string, bytes = 12): string {
  return `${prefix}_${random.bytes(bytes).toString('base64url')}`;
}
