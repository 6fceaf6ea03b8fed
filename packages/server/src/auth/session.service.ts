// What the session routes answer: the logged-in user and their facility, read through the
// repositories (routes never touch the database).
import { iso } from '../core/iso.js';
import type { Store } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { findFacility } from '../facilities/facilities.repository.js';
import { csrfTokenOf } from './sessions.js';
import { findUserById } from './users.repository.js';

export interface SessionUser {
  id: string;
  email: string;
  role: 'owner' | 'staff';
  facility_id: string;
}

export function sessionService(deps: { store: Pick<Store, 'db'> }) {
  const { db } = deps.store;
  return {
    user: (id: string): Promise<SessionUser> => findUserById(db, id),

    async describe(user: SessionUser, token: string, expiresAt: number) {
      const facility = await findFacility(db, user.facility_id);
      if (!facility) {
        throw new AppError('unauthorized', 'the facility of this user no longer exists');
      }
      return {
        user: { id: user.id, email: user.email, role: user.role },
        facility: { id: facility.id, name: facility.name, plan: facility.plan },
        csrf_token: csrfTokenOf(token),
        expires_at: iso(expiresAt),
      };
    },
  };
}
