import type { Kysely } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';
import { Params } from '../../queue/sql/batch-sql.js';

export interface WebhookTarget {
  id: string;
  facility_id: string;
  url: string;
  username: string;
  password_enc: string;
  signing_secret_enc: string | null;
  max_age_hours: number | null;
  previous_signing_secret_enc: string | null;
  previous_signing_secret_until: number | null;
  previous_username: string | null;
  previous_password_enc: string | null;
  previous_credentials_until: number | null;
  /** Enabled and its facility on the premium plan. */
  active: boolean;
}

interface Row extends Omit<WebhookTarget, 'active'> {
  enabled: number;
  plan: string;
}

/**
 * The targets of a claimed batch, read fresh each batch so edits apply at once. Once per
 * claim: its text is joined as a string (queue/sql/batch-sql.ts), since building it with
 * Kysely each time cost more than running it (2% of the main thread at 1,000 bookings/s).
 */
export async function loadWebhookTargets(
  db: Kysely<Database>,
  dialect: DialectProfile['name'],
  ids: string[],
): Promise<Map<string, WebhookTarget>> {
  if (ids.length === 0) return new Map();
  const p = new Params(dialect);
  const { rows } = await db.executeQuery(
    p.query<Row>(`select w.id, w.facility_id, w.url, w.username, w.password_enc,
        w.signing_secret_enc, w.max_age_hours, w.previous_signing_secret_enc,
        w.previous_signing_secret_until, w.previous_username, w.previous_password_enc,
        w.previous_credentials_until, w.enabled, f.plan
      from webhooks w inner join facilities f on f.id = w.facility_id
      where w.id in (${ids.map((id) => p.add(id)).join(', ')})`),
  );
  const targets = new Map<string, WebhookTarget>();
  for (const r of rows) {
    targets.set(r.id, {
      id: r.id,
      facility_id: r.facility_id,
      url: r.url,
      username: r.username,
      password_enc: r.password_enc,
      signing_secret_enc: r.signing_secret_enc,
      max_age_hours: r.max_age_hours,
      previous_signing_secret_enc: r.previous_signing_secret_enc,
      previous_signing_secret_until: r.previous_signing_secret_until,
      previous_username: r.previous_username,
      previous_password_enc: r.previous_password_enc,
      previous_credentials_until: r.previous_credentials_until,
      active: r.enabled === 1 && r.plan === 'premium',
    });
  }
  return targets;
}
