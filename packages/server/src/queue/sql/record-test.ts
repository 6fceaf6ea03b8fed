import type { Insertable, Kysely } from 'kysely';
import type { AttemptsTable, Database, DeliveriesTable } from '../../db/schema.js';

/** A test trigger sent by the API process: its delivery and its one attempt, as sent. */
export async function recordTestSend(
  trx: Kysely<Database>,
  delivery: DeliveriesTable,
  attempt: Insertable<AttemptsTable>,
) {
  await trx.insertInto('deliveries').values(delivery).execute();
  return trx.insertInto('attempts').values(attempt).returningAll().executeTakeFirstOrThrow();
}
