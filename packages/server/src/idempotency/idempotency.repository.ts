// The idempotency_keys table: claim a key inside the change's transaction, record the answer
// in the same transaction, and prune expired keys.
import type { Kysely, Selectable } from 'kysely';
import type { Database, IdempotencyKeysTable } from '../db/schema.js';
import type { PruneOptions } from '../queue/sql/prune.js';

export type KeyRow = Selectable<IdempotencyKeysTable>;

export interface KeyScope {
  facilityId: string;
  principal: string;
  key: string;
}

const scoped = (scope: KeyScope) => ({
  facility_id: scope.facilityId,
  principal: scope.principal,
  key: scope.key,
});

/**
 * Takes the key for this transaction, or returns the row that already holds it. An expired row
 * is deleted first, so a key can be used again once its 24 hours are over even before the
 * pruner has run. On PostgreSQL the insert waits while another open transaction holds the
 * same key, and then sees its committed row; on SQLite transactions run one after another.
 * The insert selects from `facilities` (as the resources' inserts do): for a facility that
 * does not exist nothing is inserted, and the caller answers 404 rather than break the key.
 */
export async function claimKey(
  db: Kysely<Database>,
  scope: KeyScope,
  fingerprint: string,
  now: number,
  expiresAt: number,
): Promise<KeyRow | 'claimed' | 'no_facility'> {
  const where = scoped(scope);
  await db
    .deleteFrom('idempotency_keys')
    .where('facility_id', '=', where.facility_id)
    .where('principal', '=', where.principal)
    .where('key', '=', where.key)
    .where('expires_at', '<=', now)
    .execute();
  const claimed = await db
    .insertInto('idempotency_keys')
    .columns(['facility_id', 'principal', 'key', 'fingerprint', 'created_at', 'expires_at'])
    .expression((eb) =>
      eb
        .selectFrom('facilities')
        .select([
          'facilities.id',
          eb.cast<string>(eb.val(where.principal), 'text').as('principal'),
          eb.cast<string>(eb.val(where.key), 'text').as('key'),
          eb.cast<string>(eb.val(fingerprint), 'text').as('fingerprint'),
          eb.cast<number>(eb.val(now), 'bigint').as('created_at'),
          eb.cast<number>(eb.val(expiresAt), 'bigint').as('expires_at'),
        ])
        .where('facilities.id', '=', where.facility_id),
    )
    .onConflict((oc) => oc.columns(['facility_id', 'principal', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (claimed) return 'claimed';
  const held = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('facility_id', '=', where.facility_id)
    .where('principal', '=', where.principal)
    .where('key', '=', where.key)
    .executeTakeFirst();
  return held ?? 'no_facility';
}

export async function recordAnswer(
  db: Kysely<Database>,
  scope: KeyScope,
  statusCode: number,
  response: string,
): Promise<void> {
  const where = scoped(scope);
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response })
    .where('facility_id', '=', where.facility_id)
    .where('principal', '=', where.principal)
    .where('key', '=', where.key)
    .execute();
}

/**
 * Keys whose 24 hours are over (run by the retention pruner). Each batch deletes up to the
 * expiry of the batchSize-th oldest key, so one statement stays short however many there are.
 */
export async function pruneIdempotencyKeys(
  db: Kysely<Database>,
  o: Pick<PruneOptions, 'batchSize' | 'breathe' | 'stopped'> & { now: number },
): Promise<number> {
  let deleted = 0;
  while (!o.stopped()) {
    const edge = await db
      .selectFrom('idempotency_keys')
      .select('expires_at')
      .where('expires_at', '<=', o.now)
      .orderBy('expires_at')
      .offset(o.batchSize - 1)
      .limit(1)
      .executeTakeFirst();
    const result = await db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', edge?.expires_at ?? o.now)
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
    if (!edge) break;
    await o.breathe();
  }
  return deleted;
}
