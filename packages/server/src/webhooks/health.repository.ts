// The facts behind a webhook's health (health.ts), each a small indexed query: attempts by
// (webhook_id, started_at), deliveries by (webhook_id, status). Test triggers don't count, as
// they don't change a webhook's failing streak.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { retrying } from '../deliveries/retrying.js';
import type { HealthFacts } from './health.js';
import type { WebhookRow } from './webhooks.repository.js';

export async function healthFacts(db: Kysely<Database>, row: WebhookRow): Promise<HealthFacts> {
  const attempts = db
    .selectFrom('attempts')
    .where('webhook_id', '=', row.id)
    .where('trigger', '!=', 'test');
  const failingSince = row.failing_since;
  const enabled = row.enabled === 1;
  // Each fact is read only where healthOf uses it: the last success only for an enabled
  // webhook that is not failing (for a failing one that query would walk back over the whole
  // streak for nothing), the next try only for an enabled one.
  const [success, failure, failed, next, held] = await Promise.all([
    failingSince !== null || !enabled
      ? undefined
      : attempts
          .select('started_at')
          .where('success', '=', 1)
          .orderBy('started_at', 'desc')
          .limit(1)
          .executeTakeFirst(),
    failingSince === null
      ? undefined
      : attempts
          .select(['error_class', 'status_code'])
          .where('success', '=', 0)
          .orderBy('started_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst(),
    failingSince === null
      ? undefined
      : attempts
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('success', '=', 0)
          .where('started_at', '>=', failingSince)
          .executeTakeFirstOrThrow(),
    !enabled
      ? undefined
      : db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.min('next_attempt_at').as('at'))
          .where('webhook_id', '=', row.id)
          .where(retrying)
          .executeTakeFirst(),
    enabled
      ? undefined
      : db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('webhook_id', '=', row.id)
          .where('status', '=', 'paused')
          .executeTakeFirstOrThrow(),
  ]);
  const nextAt = next?.at;
  return {
    enabled,
    disabledReason: row.disabled_reason,
    failingSince,
    failedAttempts: failed ? Number(failed.n) : 0,
    lastFailure: failure
      ? { errorClass: failure.error_class, statusCode: failure.status_code }
      : undefined,
    lastSuccessAt: success ? Number(success.started_at) : null,
    nextAttemptAt: nextAt === null || nextAt === undefined ? null : Number(nextAt),
    held: held ? Number(held.n) : 0,
  };
}
