// Subscriptions are webhook rows of kind 'subscription'; the sample reads the outbox.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { deleteWebhook } from '../webhooks/webhooks.repository.js';

/** Deletes the facility's subscription; a hand-made webhook with that id is left alone. */
export function deleteSubscription(
  db: Kysely<Database>,
  facilityId: string,
  id: string,
): Promise<boolean> {
  return deleteWebhook(db, facilityId, id, 'subscription');
}

/** The facility's latest events of one kind, newest first (the outbox keeps them for the retention period). */
export function recentEvents(
  db: Kysely<Database>,
  facilityId: string,
  event: string,
  limit: number,
): Promise<{ resource_id: number; event: string }[]> {
  return db
    .selectFrom('events')
    .select(['resource_id', 'event'])
    .where('facility_id', '=', facilityId)
    .where('event', '=', event)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
