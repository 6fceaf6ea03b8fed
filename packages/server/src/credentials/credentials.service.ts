import type { Selectable } from 'kysely';
import type { Scope } from '../auth/principal.js';
import { iso, isoOrNull } from '../core/iso.js';
import type { ApiKeysTable } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { findFacility } from '../facilities/facilities.repository.js';
import { newId } from '../ids.js';
import { hashPassword, sha256Hex } from '../security/hashing.js';
import type { ApiKeyOut } from './credentials.schemas.js';

function keyOut(row: Selectable<ApiKeysTable>): ApiKeyOut {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.split(',') as Scope[],
    created_at: iso(row.created_at),
    last_used_at: isoOrNull(row.last_used_at),
    revoked_at: isoOrNull(row.revoked_at),
  };
}

/** What the service needs, and all it may touch. */
export type CredentialsDeps = Pick<AppDeps, 'store' | 'clock' | 'random'>;

export function credentialsService(deps: CredentialsDeps) {
  const { store, clock, random } = deps;

  async function facilityMustExist(id: string): Promise<void> {
    if (!(await findFacility(store.db, id))) throw notFound('facility');
  }

  return {
    async createApiKey(facilityId: string, input: { name: string; scopes: Scope[] }) {
      await facilityMustExist(facilityId);
      const key = `thk_${random.bytes(32).toString('base64url')}`;
      const row = {
        id: newId(random, 'key'),
        facility_id: facilityId,
        name: input.name,
        prefix: key.slice(0, 12),
        key_hash: sha256Hex(key),
        scopes: input.scopes.join(','),
        created_at: clock.now(),
        last_used_at: null,
        revoked_at: null,
      };
      await store.db.insertInto('api_keys').values(row).execute();
      return { ...keyOut(row), key };
    },

    async listApiKeys(facilityId: string) {
      await facilityMustExist(facilityId);
      const rows = await store.db
        .selectFrom('api_keys')
        .selectAll()
        .where('facility_id', '=', facilityId)
        .orderBy('created_at', 'desc')
        .execute();
      return {
        objects: rows.map(keyOut),
        meta: { limit: rows.length, offset: 0, total_count: rows.length },
      };
    },

    /** Revocation takes effect on the next request: keys are checked on every call. */
    async revokeApiKey(facilityId: string, keyId: string): Promise<void> {
      const result = await store.db
        .updateTable('api_keys')
        .set({ revoked_at: clock.now() })
        .where('id', '=', keyId)
        .where('facility_id', '=', facilityId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('API key');
    },

    async createUser(
      facilityId: string,
      input: { email: string; password: string; role?: 'owner' | 'staff' },
    ) {
      await facilityMustExist(facilityId);
      const email = input.email.trim().toLowerCase();
      const row = {
        id: newId(random, 'usr'),
        facility_id: facilityId,
        email,
        password_hash: await hashPassword(input.password, random.bytes(16)),
        role: input.role ?? 'staff',
        created_at: clock.now(),
      };
      const inserted = await store.db
        .insertInto('users')
        .values(row)
        // Unique per facility: whether another facility has this email is none of this one's
        // business, and answering 409 for it would tell.
        .onConflict((oc) => oc.columns(['facility_id', 'email']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw new AppError('conflict', 'this facility already has a user with this email', 'email');
      }
      return { id: row.id, email, role: row.role, created_at: iso(row.created_at) };
    },
  };
}
