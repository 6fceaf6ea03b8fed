import type { Kysely, Selectable } from 'kysely';
import { type HotQuery, hotQuery } from '../db/hot-query.js';
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

type ResourceTable = 'bookings' | 'productorders' | 'events';
type NewRow<T extends ResourceTable> = Omit<Selectable<Database[T]>, 'id'>;

/**
 * `insert into <table> (…) select … from facilities where id = ? returning *`: the facility
 * check and the insert in one statement. No row back means there is no such facility. Each
 * value is cast to its column's type, because PostgreSQL can't infer the type of a parameter
 * in a select list. Every column is given (null for none), so the statement never changes.
 */
export function insertInFacility<T extends ResourceTable>(
  table: T,
  types: { [K in keyof NewRow<T>]-?: 'text' | 'integer' | 'bigint' },
): HotQuery<NewRow<T>, Selectable<Database[T]>> {
  const columns = Object.keys(types) as (keyof NewRow<T> & string)[];
  return hotQuery<NewRow<T>, Selectable<Database[T]>>(
    (db, p) =>
      db
        .insertInto(table as ResourceTable)
        .columns(columns as never)
        .expression((eb) =>
          eb
            .selectFrom('facilities')
            .select(columns.map((c) => eb.cast(eb.val(p[c]), types[c]).as(c)))
            .where('facilities.id', '=', (p as { facility_id: string }).facility_id),
        )
        .returningAll() as never,
  );
}
