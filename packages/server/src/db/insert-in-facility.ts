import type { QueryCreator, Selectable } from 'kysely';
import { type HotQuery, hotQuery } from './hot-query.js';
import type { Database } from './schema.js';

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
  types: ColumnTypes<T>,
): HotQuery<NewRow<T>, Selectable<Database[T]>> {
  return hotQuery<NewRow<T>, Selectable<Database[T]>>(
    (db, p) => insertInFacilityQuery(db, table, types, p).returningAll() as never,
  );
}

export type ColumnTypes<T extends ResourceTable> = {
  [K in keyof NewRow<T>]-?: 'text' | 'integer' | 'bigint';
};

/** The statement itself, without its RETURNING, for a caller that builds on it. */
export function insertInFacilityQuery<T extends ResourceTable>(
  db: QueryCreator<Database>,
  table: T,
  types: ColumnTypes<T>,
  p: NewRow<T>,
) {
  const columns = Object.keys(types) as (keyof NewRow<T> & string)[];
  return db
    .insertInto(table as ResourceTable)
    .columns(columns as never)
    .expression((eb) =>
      eb
        .selectFrom('facilities')
        .select(columns.map((c) => eb.cast(eb.val(p[c]), types[c]).as(c)))
        .where('facilities.id', '=', (p as { facility_id: string }).facility_id),
    );
}
