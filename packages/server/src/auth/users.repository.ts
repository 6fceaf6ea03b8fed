// The users of the settings UI: found by email to log in, by id behind a session.
import type { Insertable, Kysely } from 'kysely';
import type { Database, UsersTable } from '../db/schema.js';

/** The oldest account with this email (in this facility, when one is named). */
export function findUserByEmail(
  db: Kysely<Database>,
  email: string,
  facilityId: string | undefined,
) {
  let query = db
    .selectFrom('users')
    .select(['id', 'facility_id', 'email', 'role', 'password_hash'])
    .where('email', '=', email);
  if (facilityId !== undefined) query = query.where('facility_id', '=', facilityId);
  return query.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
}

export function findUserById(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'facility_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/**
 * False when the facility already has a user with this email. Unique per facility: whether
 * another facility has this email is none of this one's business, and a conflict for it
 * would tell.
 */
export async function insertUser(
  db: Kysely<Database>,
  row: Insertable<UsersTable>,
): Promise<boolean> {
  const inserted = await db
    .insertInto('users')
    .values(row)
    .onConflict((oc) => oc.columns(['facility_id', 'email']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}
