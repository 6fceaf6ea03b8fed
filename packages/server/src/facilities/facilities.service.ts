import { iso } from '../core/iso.js';
import type { Plan } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import {
  type Facility,
  findFacility,
  insertFacility,
  listFacilities,
  updateFacility,
} from './facilities.repository.js';
import type { FacilityOut } from './facilities.schemas.js';

export function facilityOut(f: Facility): FacilityOut {
  return {
    id: f.id,
    name: f.name,
    plan: f.plan,
    created_at: iso(f.created_at),
    updated_at: iso(f.updated_at),
  };
}

/** What the service needs, and all it may touch. */
export type FacilitiesDeps = Pick<AppDeps, 'store' | 'clock' | 'queue'>;

export function facilitiesService(deps: FacilitiesDeps) {
  const { store, clock } = deps;
  return {
    async create(input: { id: string; name: string; plan?: Plan }): Promise<FacilityOut> {
      const now = clock.now();
      const row: Facility = {
        id: input.id,
        name: input.name,
        plan: input.plan ?? 'free',
        created_at: now,
        updated_at: now,
      };
      if (!(await insertFacility(store.db, row))) {
        throw new AppError('conflict', `facility "${input.id}" already exists`, 'id');
      }
      return facilityOut(row);
    },

    async get(id: string): Promise<FacilityOut> {
      const f = await findFacility(store.db, id);
      if (!f) throw notFound('facility');
      return facilityOut(f);
    },

    async list(limit: number, offset: number) {
      const { rows, total } = await listFacilities(store.db, limit, offset);
      return { objects: rows.map(facilityOut), meta: { limit, offset, total_count: total } };
    },

    /** A plan change pauses (free) or resumes (premium) the facility's deliveries in the same transaction. */
    async update(id: string, changes: { name?: string; plan?: Plan }): Promise<FacilityOut> {
      const now = clock.now();
      await deps.queue.transaction(async (tx) => {
        const before = await findFacility(tx.trx, id);
        if (!before) throw notFound('facility');
        await updateFacility(tx.trx, id, { ...changes, updated_at: now });
        if (changes.plan === 'free' && before.plan !== 'free') await tx.pauseFacility(id);
        if (changes.plan === 'premium' && before.plan !== 'premium') await tx.resumeFacility(id);
      });
      return this.get(id);
    },
  };
}
