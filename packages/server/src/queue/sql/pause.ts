// Pausing is a status, not a filter in the claim query: the hot path stays one index walk.
// A paused delivery is kept, and sent when its webhook and facility are active again. A test
// trigger is never held: somebody is waiting for it, on a disabled webhook too.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Downgrade to free: hold every pending delivery of the facility. */
export async function pauseFacility(db: Kysely<Database>, facilityId: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'paused' })
    .where('facility_id', '=', facilityId)
    .where('status', '=', 'pending')
    .where('is_test', '=', 0)
    .execute();
}

/** Upgrade to premium: release held deliveries of enabled webhooks, due now. */
export async function resumeFacility(
  db: Kysely<Database>,
  facilityId: string,
  now: number,
): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ status: 'pending', next_attempt_at: now, leased_by: null })
    .where('facility_id', '=', facilityId)
    .where('status', '=', 'paused')
    .where('webhook_id', 'in', (eb) =>
      eb
        .selectFrom('webhooks')
        .select('id')
        .where('facility_id', '=', facilityId)
        .where('enabled', '=', 1),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A webhook disabled by its owner, by 410 Gone or by auto-disable: hold its pending work. */
export async function pauseWebhook(db: Kysely<Database>, webhookId: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'paused' })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'pending')
    .where('is_test', '=', 0)
    .execute();
}

/** Re-enabled: release its held deliveries, unless the facility is on the free plan. */
export async function resumeWebhook(
  db: Kysely<Database>,
  webhookId: string,
  now: number,
): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ status: 'pending', next_attempt_at: now, leased_by: null })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'paused')
    .where('facility_id', 'in', (eb) =>
      eb.selectFrom('facilities').select('id').where('plan', '=', 'premium'),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
