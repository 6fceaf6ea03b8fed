// Every resource lives in a facility: a miss names the facility when that is what is missing.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type AppError, notFound } from '../errors.js';
import { findFacility } from '../facilities/facilities.repository.js';

/** A miss on a scoped id names the facility when that is what is missing. */
export async function notFoundIn(
  db: Kysely<Database>,
  facilityId: string,
  what: string,
): Promise<AppError> {
  return (await findFacility(db, facilityId)) ? notFound(what) : notFound('facility');
}

export async function facilityMustExist(db: Kysely<Database>, facilityId: string): Promise<void> {
  if (!(await findFacility(db, facilityId))) throw notFound('facility');
}
