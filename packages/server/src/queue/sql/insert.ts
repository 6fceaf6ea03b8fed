// New deliveries, inserted a statement per 16 rows, each statement built once for its number
// of rows (see hot-query.ts).
import { type Kysely, sql } from 'kysely';
import { type HotQuery, hotQuery } from '../../db/hot-query.js';
import type { Database, DeliveriesTable } from '../../db/schema.js';

// Every column, so that a template never depends on which ones a row happens to leave out.
const DELIVERY_COLUMNS = Object.keys({
  id: 1,
  webhook_id: 1,
  facility_id: 1,
  event_id: 1,
  resource_type: 1,
  resource_id: 1,
  event: 1,
  status: 1,
  tries: 1,
  attempt_count: 1,
  next_attempt_at: 1,
  leased_by: 1,
  is_test: 1,
  created_at: 1,
  last_attempt_at: 1,
  last_status_code: 1,
  last_error: 1,
  succeeded_at: 1,
  sequence: 1,
  event_count: 1,
  last_event_at: 1,
  superseded_by: 1,
} satisfies Record<keyof DeliveriesTable, 1>) as (keyof DeliveriesTable)[];

// Parameters are named "<column><row>": `names[row][column]`.
const DELIVERIES_PER_INSERT = 16;
const names = Array.from({ length: DELIVERIES_PER_INSERT }, (_, i) =>
  DELIVERY_COLUMNS.map((column) => `${column}${i}`),
);
const insertDeliveryRows = new Map<string, HotQuery<Record<string, unknown>, unknown>>();

/**
 * Inserts up to DELIVERIES_PER_INSERT rows, with every column given. With `wakeCall`, the
 * insert sits in a WITH and the statement calls it (NOTIFY at commit): one round trip less.
 */
function insertChunk(
  trx: Kysely<Database>,
  rows: DeliveriesTable[],
  wakeCall: string | undefined,
): Promise<unknown> {
  const n = rows.length;
  const key = wakeCall ? `${n} ${wakeCall}` : `${n}`;
  let insert = insertDeliveryRows.get(key);
  if (!insert) {
    const values = (p: Record<string, unknown>) =>
      Array.from({ length: n }, (_, i) => {
        const row: Record<string, unknown> = {};
        DELIVERY_COLUMNS.forEach((column, c) => {
          row[column] = p[names[i]![c]!];
        });
        return row as unknown as DeliveriesTable;
      });
    insert = wakeCall
      ? hotQuery((db, p: Record<string, unknown>) =>
          db
            .with('inserted', (qc) => qc.insertInto('deliveries').values(values(p)))
            .selectNoFrom(sql.raw<unknown>(wakeCall).as('woken')),
        )
      : hotQuery((db, p: Record<string, unknown>) => db.insertInto('deliveries').values(values(p)));
    insertDeliveryRows.set(key, insert);
  }
  const params: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    DELIVERY_COLUMNS.forEach((column, c) => {
      params[names[i]![c]!] = row[column];
    });
  });
  return insert.execute(trx, params);
}

/** Inserts the rows; with `wakeCall` the first statement also wakes the dispatchers. */
export async function insertDeliveries(
  trx: Kysely<Database>,
  rows: DeliveriesTable[],
  wakeCall?: string,
): Promise<void> {
  for (let i = 0; i < rows.length; i += DELIVERIES_PER_INSERT) {
    await insertChunk(
      trx,
      rows.slice(i, i + DELIVERIES_PER_INSERT),
      i === 0 ? wakeCall : undefined,
    );
  }
}
