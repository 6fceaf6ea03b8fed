// The operator's view across webhooks: the API lists one webhook's deliveries at a time.
import type { Kysely } from 'kysely';
import type { Database, DeliveryStatus } from '../../db/schema.js';

export interface AcrossFilter {
  facilityId?: string | undefined;
  status?: DeliveryStatus | undefined;
  event?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

export async function listDeliveriesAcross(
  db: Kysely<Database>,
  f: AcrossFilter,
  limit: number,
  offset: number,
) {
  let q = db.selectFrom('deliveries');
  if (f.facilityId) q = q.where('facility_id', '=', f.facilityId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.event) q = q.where('event', '=', f.event);
  if (f.since !== undefined) q = q.where('created_at', '>=', f.since);
  if (f.until !== undefined) q = q.where('created_at', '<=', f.until);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
