import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface WebhookTarget {
  id: string;
  facility_id: string;
  url: string;
  username: string;
  password_enc: string;
  signing_secret_enc: string | null;
  max_age_hours: number | null;
  /** Enabled and its facility on the premium plan. */
  active: boolean;
}

/** The targets of a claimed batch, read fresh each batch so edits apply at once. */
export async function loadWebhookTargets(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, WebhookTarget>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('webhooks as w')
    .innerJoin('facilities as f', 'f.id', 'w.facility_id')
    .select([
      'w.id',
      'w.facility_id',
      'w.url',
      'w.username',
      'w.password_enc',
      'w.signing_secret_enc',
      'w.max_age_hours',
      'w.enabled',
      'f.plan',
    ])
    .where('w.id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        facility_id: r.facility_id,
        url: r.url,
        username: r.username,
        password_enc: r.password_enc,
        signing_secret_enc: r.signing_secret_enc,
        max_age_hours: r.max_age_hours,
        active: r.enabled === 1 && r.plan === 'premium',
      },
    ]),
  );
}
