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
 */
export async function claimKey(
  db: Kysely<Database>,
  scope: KeyScope,
  fingerprint: string,
  now: number,
  expiresAt: number,
): Promise<KeyRow | undefined> {
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
    .values({
      ...where,
      fingerprint,
      status_code: null,
      response: null,
      created_at: now,
      expires_at: expiresAt,
    })
    .onConflict((oc) => oc.columns(['facility_id', 'principal', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (claimed) return undefined;
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('facility_id', '=', where.facility_id)
    .where('principal', '=', where.principal)
    .where('key', '=', where.key)
    .executeTakeFirstOrThrow();
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
