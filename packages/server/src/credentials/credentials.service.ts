import type { Scope } from '../auth/principal.js';
import { insertUser } from '../auth/users.repository.js';
import { iso, isoOrNull } from '../core/iso.js';
import type { AppDeps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { findFacility } from '../facilities/facilities.repository.js';
import { newId } from '../ids.js';
import { hashPassword, sha256Hex } from '../security/hashing.js';
import {
  type ApiKeyRow,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
} from './credentials.repository.js';
import type { ApiKeyOut } from './credentials.schemas.js';

function keyOut(row: ApiKeyRow): ApiKeyOut {
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
      await insertApiKey(store.db, row);
      return { ...keyOut(row), key };
    },

    async listApiKeys(facilityId: string) {
      await facilityMustExist(facilityId);
      const rows = await listApiKeys(store.db, facilityId);
      return {
        objects: rows.map(keyOut),
        meta: { limit: rows.length, offset: 0, total_count: rows.length },
      };
    },

    /** Revocation takes effect on the next request: keys are checked on every call. */
    async revokeApiKey(facilityId: string, keyId: string): Promise<void> {
      if (!(await revokeApiKey(store.db, facilityId, keyId, clock.now()))) {
        throw notFound('API key');
      }
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
      if (!(await insertUser(store.db, row))) {
        throw new AppError('conflict', 'this facility already has a user with this email', 'email');
      }
      return { id: row.id, email, role: row.role, created_at: iso(row.created_at) };
    },
  };
}
