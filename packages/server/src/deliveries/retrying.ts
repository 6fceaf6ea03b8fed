// "Retrying": a delivery waiting for its next try after a failed attempt, i.e. pending with
// attempts made. Test triggers are never retried. One definition for the delivery log, its
// stats, resend and webhook health; the queue's own statements (queue/sql/) keep theirs.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from '../db/schema.js';
import type { DeliveryRow } from './deliveries.repository.js';

export function isRetrying(d: Pick<DeliveryRow, 'status' | 'attempt_count' | 'is_test'>): boolean {
  return d.status === 'pending' && d.attempt_count > 0 && d.is_test === 0;
}

/** isRetrying as a filter on deliveries. */
export function retrying(eb: ExpressionBuilder<Database, 'deliveries'>): Expression<SqlBool> {
  return eb.and([eb('status', '=', 'pending'), eb('attempt_count', '>', 0), eb('is_test', '=', 0)]);
}
