// A facility's API keys: stored by their SHA-256, never as the key itself. (Checking a key on
// every request is authenticate.ts's prebuilt hot-path query.)
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from '../db/schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export async function insertApiKey(db: Kysely<Database>, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

/** Newest first, revoked ones included. */
export function listApiKeys(db: Kysely<Database>, facilityId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('facility_id', '=', facilityId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** False when the facility has no such key, or it was already revoked. */
export async function revokeApiKey(
  db: Kysely<Database>,
  facilityId: string,
  keyId: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', keyId)
    .where('facility_id', '=', facilityId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
