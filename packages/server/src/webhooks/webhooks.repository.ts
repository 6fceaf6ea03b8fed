import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookKind, WebhooksTable } from '../db/schema.js';

export type WebhookRow = Selectable<WebhooksTable>;

export function findWebhook(
  db: Kysely<Database>,
  facilityId: string,
  id: string,
): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', '=', id)
    .where('facility_id', '=', facilityId)
    .executeTakeFirst();
}

export async function insertWebhook(db: Kysely<Database>, row: WebhookRow): Promise<void> {
  await db.insertInto('webhooks').values(row).execute();
}

export async function updateWebhook(
  db: Kysely<Database>,
  id: string,
  changes: Partial<WebhookRow>,
): Promise<void> {
  await db.updateTable('webhooks').set(changes).where('id', '=', id).execute();
}

/** False when the facility has no webhook with this id (of this kind, when one is named). */
export async function deleteWebhook(
  db: Kysely<Database>,
  facilityId: string,
  id: string,
  kind?: WebhookKind,
): Promise<boolean> {
  let query = db.deleteFrom('webhooks').where('id', '=', id).where('facility_id', '=', facilityId);
  if (kind !== undefined) query = query.where('kind', '=', kind);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export function listWebhooks(
  db: Kysely<Database>,
  facilityId: string,
  limit: number,
  offset: number,
): Promise<WebhookRow[]> {
  // The id breaks ties between webhooks added in the same millisecond: pages stay stable.
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('facility_id', '=', facilityId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Serialises webhook creation per facility until the transaction ends, so the per-facility
 * limit holds when creates race: a no-op update takes the facility's row lock on PostgreSQL
 * and the write lock on SQLite, with the same SQL on both.
 */
export async function lockFacilityWebhooks(
  db: Kysely<Database>,
  facilityId: string,
): Promise<void> {
  await db
    .updateTable('facilities')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', facilityId)
    .execute();
}

export async function countWebhooks(db: Kysely<Database>, facilityId: string): Promise<number> {
  const row = await db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('facility_id', '=', facilityId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setWebhookEvents(
  db: Kysely<Database>,
  webhookId: string,
  facilityId: string,
  events: readonly string[],
): Promise<void> {
  await db.deleteFrom('webhook_events').where('webhook_id', '=', webhookId).execute();
  await db
    .insertInto('webhook_events')
    .values(events.map((event) => ({ webhook_id: webhookId, facility_id: facilityId, event })))
    .execute();
}

/** While credentials rotate: the ones the receiver took in the latest attempt it accepted. */
export async function acceptedCredentials(
  db: Kysely<Database>,
  webhookId: string,
  since: number,
): Promise<'new' | 'old' | null> {
  const row = await db
    .selectFrom('attempts')
    .select('credentials')
    .where('webhook_id', '=', webhookId)
    .where('success', '=', 1)
    .where('credentials', 'is not', null)
    .where('started_at', '>=', since)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.credentials ?? null;
}

export function lastDelivery(db: Kysely<Database>, webhookId: string) {
  return db
    .selectFrom('deliveries')
    .select(['id', 'event', 'status', 'last_status_code', 'created_at', 'last_attempt_at'])
    .where('webhook_id', '=', webhookId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
