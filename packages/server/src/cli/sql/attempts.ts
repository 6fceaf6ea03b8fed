// `deliveries list --follow`: attempts as they are recorded, like tail -f.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface AttemptFilter {
  facilityId?: string | undefined;
  webhookId?: string | undefined;
  event?: string | undefined;
}

export interface AttemptLine {
  id: number;
  delivery_id: string;
  webhook_id: string;
  facility_id: string;
  event: string;
  resource_id: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error_class: string | null;
  success: number;
  trigger: string;
}

function query(db: Kysely<Database>, f: AttemptFilter) {
  let q = db
    .selectFrom('attempts as a')
    .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
    .select([
      'a.id',
      'a.delivery_id',
      'a.webhook_id',
      'd.facility_id',
      'd.event',
      'd.resource_id',
      'a.started_at',
      'a.duration_ms',
      'a.status_code',
      'a.error_class',
      'a.success',
      'a.trigger',
    ]);
  if (f.webhookId) q = q.where('a.webhook_id', '=', f.webhookId);
  if (f.facilityId) q = q.where('d.facility_id', '=', f.facilityId);
  if (f.event) q = q.where('d.event', '=', f.event);
  return q;
}

/** The last `n` matching attempts, oldest first. */
export async function lastAttempts(
  db: Kysely<Database>,
  f: AttemptFilter,
  n: number,
): Promise<AttemptLine[]> {
  const rows = await query(db, f).orderBy('a.id', 'desc').limit(n).execute();
  return rows.reverse();
}

/** Matching attempts with an id above `after`, oldest first (a primary-key range). */
export function attemptsAfter(
  db: Kysely<Database>,
  f: AttemptFilter,
  after: number,
  limit: number,
) {
  return query(db, f).where('a.id', '>', after).orderBy('a.id').limit(limit).execute() as Promise<
    AttemptLine[]
  >;
}

/** The highest attempt id so far, of any webhook (0: none yet). */
export async function highestAttemptId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('attempts')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}
