// Record a batch of finished attempts in one transaction: the attempt rows, the deliveries'
// new state, and what the outcomes mean for their webhooks (failing since, auto-disable,
// 410 Gone — decided by the batch's `judge`, applied here). A batch is a handful of
// statements whatever its size — one INSERT … SELECT and one UPDATE … FROM (VALUES …) — so
// the store's cost per delivery stays low.
//
// Lock order (PostgreSQL), the same for every writer of the queue: webhook rows, then
// facility rows, then resource_sequences rows, then deliveries rows. A webhook's PATCH or
// DELETE, an enqueue (its foreign keys take the webhook's row first), a recover and another
// dispatcher's batch all take them in this order, so none of them can wait on another in a
// circle.
import {
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  sql,
  type Transaction,
} from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';
import type { AttemptsTable, Database } from '../../db/schema.js';
import type {
  BatchVerdict,
  DeliveryUpdate,
  HealthChange,
  Released,
  WebhookHealthState,
} from '../types.js';
import { Params, rowsTable } from './batch-sql.js';
import { lazily } from './lazy-commit.js';
import { pauseWebhook } from './pause.js';
import { release } from './release.js';
import { lockResources, promoteNext, type ResourceKey, sortedKeys } from './resource-order.js';

export interface CompletionBatch {
  leasedBy: string;
  now: number;
  attempts: Insertable<AttemptsTable>[];
  updates: DeliveryUpdate[];
  /** Deliveries whose webhook or facility turned inactive before they were sent. */
  paused: Released[];
  /** Claimed but not sent (see release.ts): due again for anyone, where they were. */
  released?: Released[];
  /**
   * The resources whose delivery became final here (not tests): their lines move on, the
   * next blocked delivery of each becoming due.
   */
  finals: ResourceKey[];
  verdicts: BatchVerdict[];
  /** What a verdict means for its webhook (dispatcher/webhook-health.ts). */
  judge: (state: WebhookHealthState, verdict: BatchVerdict) => HealthChange;
}

export interface CompletionResult {
  disabled: { webhookId: string; reason: string }[];
  /** Blocked deliveries that became due because the one before them is final. */
  promoted: number;
}

/**
 * The batch commits lazily (DialectProfile.lazyCommit): a batch lost in a machine crash
 * leaves its deliveries leased, and they are sent again when the lease ends.
 */
export async function complete(
  db: Kysely<Database>,
  batch: CompletionBatch,
  profile: DialectProfile,
): Promise<CompletionResult> {
  const disabled: CompletionResult['disabled'] = [];
  let promoted = 0;
  const keys = sortedKeys(batch.finals);
  const work = async (trx: Transaction<Database>) => {
    if (profile.rowLocks) await lockWebhooks(trx, batch);
    // Before any delivery of theirs changes: the enqueue takes these locks first too.
    await lockResources(trx, profile, keys);
    const recovered = recoveredWebhooks(batch);
    if (profile.writableCte) {
      // One statement for the three (PostgreSQL): round trips are what a batch costs there.
      // The webhook rows it clears are locked above already, so the lock order holds.
      await recordOutcomes(trx, profile, batch, recovered);
    } else {
      await insertAttempts(trx, profile, batch.attempts);
      await updateDeliveries(trx, profile, batch.leasedBy, batch.updates);
      await clearFailing(trx, profile, recovered);
    }
    if (batch.paused.length > 0) await pauseOrRelease(trx, profile, batch);
    if (batch.released && batch.released.length > 0) {
      await release(trx, profile, batch.released, batch.leasedBy);
    }
    promoted = await promoteNext(trx, profile, keys, batch.now);
    await recordVerdicts(trx, batch, disabled);
  };
  await lazily(db, profile, work);
  return { disabled, promoted };
}

/**
 * Locks the rows of the batch's webhooks first (see the lock order above), sorted in the
 * code-point order every writer uses (`collate "C"`: the database's own collation may sort
 * "wh_B" after "wh_a").
 */
async function lockWebhooks(trx: Transaction<Database>, batch: CompletionBatch): Promise<void> {
  const ids = [
    ...batch.updates.map((u) => u.id),
    ...batch.paused.map((r) => r.id),
    ...(batch.released ?? []).map((r) => r.id),
  ];
  if (ids.length === 0) return;
  await sql`
    select w.id from webhooks w
    where w.id in (select distinct d.webhook_id from deliveries d where d.id in (${sql.join(ids)}))
    order by w.id collate "C"
    for no key update of w`.execute(trx);
}

/**
 * Deliveries claimed while their webhook or facility looked inactive: held (`paused`) only if
 * it still is — under the webhook's lock taken above, and a share lock on the facility, so an
 * enable or an upgrade either sees them paused and resumes them, or comes first and they go
 * back to the queue, due now. Holding one on stale news would keep its whole line waiting.
 */
async function pauseOrRelease(
  trx: Transaction<Database>,
  profile: DialectProfile,
  batch: CompletionBatch,
): Promise<void> {
  const ids = batch.paused.map((r) => r.id);
  if (profile.rowLocks) {
    await sql`
      select f.id from facilities f
      where f.id in (select distinct d.facility_id from deliveries d where d.id in (${sql.join(ids)}))
      order by f.id collate "C"
      for share of f`.execute(trx);
  }
  await trx
    .updateTable('deliveries')
    .set({ status: 'paused', leased_by: null, next_attempt_at: batch.now })
    .where('id', 'in', ids)
    .where('leased_by', '=', batch.leasedBy)
    .where((eb) => eb.not(eb.exists(activeWebhook(eb))))
    .execute();
  await release(trx, profile, batch.paused, batch.leasedBy);
}

/** The delivery's webhook is enabled and its facility on the premium plan. */
function activeWebhook(eb: ExpressionBuilder<Database, 'deliveries'>) {
  return eb
    .selectFrom('webhooks as w')
    .innerJoin('facilities as f', 'f.id', 'w.facility_id')
    .select('w.id')
    .whereRef('w.id', '=', 'deliveries.webhook_id')
    .where('w.enabled', '=', 1)
    .where('f.plan', '=', 'premium');
}

const ATTEMPT_TYPES = [
  'integer',
  'text',
  'text',
  'bigint',
  'integer',
  'integer',
  'text',
  'text',
  'text',
  'integer',
  'text',
  'text',
];

/**
 * `v (…) as (values …)` and the insert that reads it, for the attempts of a batch. A webhook
 * deleted mid-attempt took its deliveries with it; their attempts have nothing to belong
 * to, and are left out. In the batch's order, so that a delivery's attempts get ids in the
 * order they were made (a refused try, then the one with the old credentials).
 */
function attemptsSql(
  p: Params,
  attempts: Insertable<AttemptsTable>[],
  v: string,
): { values: string; insert: string } {
  const rows = attempts.map((a, i) => [
    i,
    a.delivery_id,
    a.webhook_id,
    a.started_at,
    a.duration_ms,
    a.status_code ?? null,
    a.response_body ?? null,
    a.error_class ?? null,
    a.error_message ?? null,
    a.success,
    a.trigger,
    a.credentials ?? null,
  ]);
  return {
    values: `${v} (ord, delivery_id, webhook_id, started_at, duration_ms, status_code,
            response_body, error_class, error_message, success, trigger, credentials)
         as (${rowsTable(p, rows, ATTEMPT_TYPES)})`,
    insert: `insert into attempts (delivery_id, webhook_id, started_at, duration_ms, status_code,
                          response_body, error_class, error_message, success, trigger,
                          credentials)
    select delivery_id, webhook_id, started_at, duration_ms, status_code, response_body,
           error_class, error_message, success, trigger, credentials
    from ${v}
    where exists (select 1 from deliveries d where d.id = ${v}.delivery_id)
    order by ord`,
  };
}

async function insertAttempts(
  trx: Transaction<Database>,
  profile: DialectProfile,
  attempts: Insertable<AttemptsTable>[],
): Promise<void> {
  if (attempts.length === 0) return;
  const p = new Params(profile.name);
  const { values, insert } = attemptsSql(p, attempts, 'v');
  await trx.executeQuery(p.query(`with ${values} ${insert}`));
}

const UPDATE_TYPES = [
  'text',
  'text',
  'integer',
  'integer',
  'bigint',
  'bigint',
  'integer',
  'text',
  'bigint',
  'text',
];

/**
 * `u (…) as (values …)` and the update that reads it. Only while our lease holds: if it
 * lapsed and another dispatcher took the delivery, its outcome is the one that counts (our
 * attempt is still recorded). The lease holder is a column of u, not a constant:
 * PostgreSQL's statistics see leased_by as nearly always null, so `leased_by = $n` was
 * estimated at one row and planned as a nested loop over every leased row × every row of
 * the batch (168 ms for 1,024 leased × 256; with the column it is a hash or index join, 9 ms).
 */
function updatesSql(
  p: Params,
  leasedBy: string,
  updates: DeliveryUpdate[],
): { values: string; update: string } {
  const rows = updates.map((u) => [
    u.id,
    u.status,
    u.tries,
    u.attempt_count,
    u.next_attempt_at,
    u.last_attempt_at,
    u.last_status_code,
    u.last_error,
    u.succeeded_at,
    leasedBy,
  ]);
  return {
    values: `u (id, status, tries, attempt_count, next_attempt_at, last_attempt_at,
            last_status_code, last_error, succeeded_at, leased_by)
         as (${rowsTable(p, rows, UPDATE_TYPES)})`,
    update: `update deliveries
    set status = u.status, tries = u.tries, attempt_count = u.attempt_count,
        next_attempt_at = u.next_attempt_at, last_attempt_at = u.last_attempt_at,
        last_status_code = u.last_status_code, last_error = u.last_error,
        succeeded_at = u.succeeded_at, leased_by = null
    from u
    where deliveries.id = u.id and deliveries.leased_by = u.leased_by`,
  };
}

async function updateDeliveries(
  trx: Transaction<Database>,
  profile: DialectProfile,
  leasedBy: string,
  updates: DeliveryUpdate[],
): Promise<void> {
  if (updates.length === 0) return;
  const p = new Params(profile.name);
  const { values, update } = updatesSql(p, leasedBy, updates);
  await trx.executeQuery(p.query(`with ${values} ${update}`));
}

/**
 * The attempts, the deliveries' new state and the recovered webhooks' failing streak ended,
 * as one statement (a store with writable CTEs).
 */
async function recordOutcomes(
  trx: Transaction<Database>,
  profile: DialectProfile,
  batch: CompletionBatch,
  recovered: string[],
): Promise<void> {
  const p = new Params(profile.name);
  const ctes: string[] = [];
  if (batch.attempts.length > 0) {
    const { values, insert } = attemptsSql(p, batch.attempts, 'v');
    ctes.push(values, `inserted as (${insert})`);
  }
  if (recovered.length > 0) {
    ctes.push(`cleared as (${clearFailingSql(p, recovered)})`);
  }
  let main = 'select 1';
  if (batch.updates.length > 0) {
    const { values, update } = updatesSql(p, batch.leasedBy, batch.updates);
    ctes.push(values);
    main = update;
  }
  if (ctes.length === 0) return;
  await trx.executeQuery(p.query(`with ${ctes.join(',\n')} ${main}`));
}

/** A success ends a failing streak whatever came before: no need to read the webhook. */
function recoveredWebhooks(batch: CompletionBatch): string[] {
  return [
    ...new Set(
      batch.verdicts.filter((v) => v.succeeded && !v.disableRequested).map((v) => v.webhookId),
    ),
  ];
}

function clearFailingSql(p: Params, webhookIds: string[]): string {
  return `update webhooks set failing_since = null
    where id in (${webhookIds.map((id) => p.add(id)).join(', ')}) and failing_since is not null`;
}

async function clearFailing(
  trx: Transaction<Database>,
  profile: DialectProfile,
  webhookIds: string[],
): Promise<void> {
  if (webhookIds.length === 0) return;
  const p = new Params(profile.name);
  await trx.executeQuery(p.query(clearFailingSql(p, webhookIds)));
}

async function recordVerdicts(
  trx: Transaction<Database>,
  batch: CompletionBatch,
  disabled: CompletionResult['disabled'],
): Promise<void> {
  // (The recovered ones' streaks were ended with the outcomes.)
  const failed = batch.verdicts.filter((v) => !v.succeeded || v.disableRequested);
  if (failed.length === 0) return;
  const states = await trx
    .selectFrom('webhooks')
    .select(['id', 'enabled', 'failing_since'])
    .where(
      'id',
      'in',
      failed.map((v) => v.webhookId),
    )
    .execute();
  const byId = new Map(states.map((s) => [s.id, s]));
  for (const v of failed) {
    const row = byId.get(v.webhookId);
    if (!row) continue; // deleted meanwhile
    const change = batch.judge({ enabled: row.enabled === 1, failingSince: row.failing_since }, v);
    if (change.failingSince === null && row.failing_since !== null) {
      await trx
        .updateTable('webhooks')
        .set({ failing_since: null })
        .where('id', '=', v.webhookId)
        .execute();
    }
    if (change.failingSince !== null && row.failing_since === null) {
      // Only the first failure of a streak sets it, should two dispatchers race.
      await trx
        .updateTable('webhooks')
        .set({ failing_since: change.failingSince })
        .where('id', '=', v.webhookId)
        .where('failing_since', 'is', null)
        .execute();
    }
    if (change.disable) {
      const result = await trx
        .updateTable('webhooks')
        .set({
          enabled: 0,
          disabled_reason: change.disable,
          disabled_at: batch.now,
          updated_at: batch.now,
        })
        .where('id', '=', v.webhookId)
        .where('enabled', '=', 1)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) {
        await pauseWebhook(trx, v.webhookId);
        disabled.push({ webhookId: v.webhookId, reason: change.disable });
      }
    }
  }
}
