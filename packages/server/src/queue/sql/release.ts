import type { Transaction } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';
import type { Released } from '../types.js';
import { Params, rowsTable } from './batch-sql.js';

/**
 * Gives back claimed deliveries this dispatcher will not send (it is stopping, their lease
 * is too short to start an attempt, or their receiver is failing): due again for anyone, at
 * the place in the queue they had before the claim. Due "now" would put them behind every
 * retry that fell due while they were leased: a failing receiver's new triggers then waited
 * for its whole backlog of retries before their first attempt.
 */
export async function release(
  trx: Transaction<Database>,
  profile: DialectProfile,
  released: readonly Released[],
  leasedBy: string,
): Promise<void> {
  if (released.length === 0) return;
  const p = new Params(profile.name);
  const rows = released.map((r) => [r.id, r.dueAt]);
  await trx.executeQuery(
    p.query(`with r (id, due_at) as (${rowsTable(p, rows, ['text', 'bigint'])})
      update deliveries set next_attempt_at = r.due_at, leased_by = null
      from r
      where deliveries.id = r.id and deliveries.leased_by = ${p.add(leasedBy)}
        and deliveries.status = 'pending'`),
  );
}
