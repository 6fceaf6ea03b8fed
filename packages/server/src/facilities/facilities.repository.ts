import type { Kysely, Selectable } from 'kysely';
import { hotQuery } from '../db/hot-query.js';
import type { Database, FacilitiesTable, Plan } from '../db/schema.js';

export type Facility = Selectable<FacilitiesTable>;

// Asked by nearly every facility-scoped request: built once (see hot-query.ts).
const facilityById = hotQuery((db, p: { id: string }) =>
  db.selectFrom('facilities').selectAll().where('id', '=', p.id),
);

export async function findFacility(
  db: Kysely<Database>,
  id: string,
): Promise<Facility | undefined> {
  const [row] = await facilityById.execute(db, { id });
  return row;
}

export async function insertFacility(db: Kysely<Database>, row: Facility): Promise<boolean> {
  const result = await db
    .insertInto('facilities')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function updateFacility(
  db: Kysely<Database>,
  id: string,
  changes: { name?: string; plan?: Plan; updated_at: number },
): Promise<void> {
  await db.updateTable('facilities').set(changes).where('id', '=', id).execute();
}

export async function listFacilities(db: Kysely<Database>, limit: number, offset: number) {
  const [rows, count] = await Promise.all([
    db.selectFrom('facilities').selectAll().orderBy('id').limit(limit).offset(offset).execute(),
    db
      .selectFrom('facilities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
