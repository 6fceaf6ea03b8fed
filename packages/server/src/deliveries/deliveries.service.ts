import { iso, isoOrNull } from '../core/iso.js';
import { page } from '../core/paging.js';
import type { AppDeps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { actionOf, type EventName, resourceTypeOf } from '../events/event-names.js';
import { findFacility } from '../facilities/facilities.repository.js';
import { TESTS_PER_MINUTE } from '../queue/sql/enqueue-test.js';
import type { RequeueWhere } from '../queue/sql/requeue.js';
import { findWebhook } from '../webhooks/webhooks.repository.js';
import {
  type AttemptRow,
  attemptsOf,
  type DeliveryRow,
  findDelivery,
  listDeliveries,
} from './deliveries.repository.js';
import type { AttemptOut, DeliveryFilter, DeliveryOut } from './deliveries.schemas.js';
import { isRetrying } from './retrying.js';
import { countByHour, HOUR_MS } from './stats.repository.js';

/** Beyond the attempt's timeout, how long `POST …/test` waits for a dispatcher to send it. */
const TEST_WAIT_SLACK_MS = 5_000;

/** Too many test triggers for one webhook: 429 with Retry-After. */
export class TestLimited extends AppError {
  constructor(why: 'in_flight' | 'per_minute', retryAfterMs: number) {
    super(
      'too_many_requests',
      why === 'in_flight'
        ? 'a test trigger for this webhook is still being sent; wait for its result'
        : `at most ${TESTS_PER_MINUTE} test triggers a minute per webhook; try again shortly`,
      undefined,
      { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) },
    );
  }
}

/** Why a delivery can't be retried now, naming its status. */
function notRetryable(d: DeliveryRow): string {
  if (d.is_test === 1) return 'a test trigger is tried once; send a new test';
  switch (d.status) {
    case 'pending':
      return d.attempt_count === 0 || d.leased_by !== null
        ? 'the delivery is pending: it is being sent now'
        : 'the delivery is pending: it is already due';
    case 'blocked':
      return 'the delivery is blocked: it waits for an earlier delivery about the same booking or order, and goes out after it';
    case 'paused':
      return 'the delivery is paused: it is held while the webhook is disabled or the facility is not on the premium plan';
    default:
      return `the delivery is ${d.status}: it is not waiting for a retry; use resend to send it again`;
  }
}

export function deliveryOut(d: DeliveryRow): DeliveryOut {
  return {
    id: d.id,
    webhook_id: d.webhook_id,
    event: d.event,
    action: actionOf(d.event),
    resource_type: d.resource_type,
    resource_id: d.resource_id,
    status: d.status,
    test: d.is_test === 1,
    attempt_count: d.attempt_count,
    sequence: d.sequence,
    event_count: d.event_count,
    superseded_by: d.superseded_by,
    next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    last_attempt_at: isoOrNull(d.last_attempt_at),
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    succeeded_at: isoOrNull(d.succeeded_at),
    created_at: iso(d.created_at),
  };
}

export function attemptOut(a: AttemptRow): AttemptOut {
  return {
    id: a.id,
    started_at: iso(a.started_at),
    duration_ms: a.duration_ms,
    status_code: a.status_code,
    response_body: a.response_body,
    error_class: a.error_class,
    error_message: a.error_message,
    success: a.success === 1,
    trigger: a.trigger,
    credentials: a.credentials,
  };
}

/** What the service needs, and all it may touch. */
export type DeliveriesDeps = Pick<AppDeps, 'store' | 'queue' | 'config' | 'clock'>;

export function deliveriesService(deps: DeliveriesDeps) {
  const { store } = deps;
  const db = store.db;

  async function webhookOf(facilityId: string, webhookId: string) {
    const webhook = await findWebhook(db, facilityId, webhookId);
    if (!webhook) throw notFound('webhook');
    return webhook;
  }

  async function mustBeActive(facilityId: string, enabled: number): Promise<void> {
    const facility = await findFacility(db, facilityId);
    if (facility?.plan !== 'premium') {
      throw new AppError('premium_required', 'Webhooks need the premium plan.');
    }
    if (enabled !== 1)
      throw new AppError('conflict', 'the webhook is disabled; enable it first', 'enabled');
  }

  function requeue(webhookId: string, where: RequeueWhere): Promise<number> {
    return deps.queue.transaction((tx) => tx.requeue(webhookId, where));
  }

  return {
    async list(facilityId: string, webhookId: string, q: DeliveryFilter) {
      await webhookOf(facilityId, webhookId);
      const { limit, offset } = page(q);
      const { rows, total } = await listDeliveries(
        db,
        {
          webhookId,
          status: q.status,
          event: q.event,
          since: q.since ? Date.parse(q.since) : undefined,
          until: q.until ? Date.parse(q.until) : undefined,
        },
        limit,
        offset,
      );
      return { objects: rows.map(deliveryOut), meta: { limit, offset, total_count: total } };
    },

    async get(facilityId: string, webhookId: string, deliveryId: string) {
      await webhookOf(facilityId, webhookId);
      const d = await findDelivery(db, webhookId, deliveryId);
      if (!d) throw notFound('delivery');
      return { ...deliveryOut(d), attempts: (await attemptsOf(db, d.id)).map(attemptOut) };
    },

    /** Sends one delivery again (same webhook-id), with a fresh retry cycle. */
    async resend(facilityId: string, webhookId: string, deliveryId: string) {
      const webhook = await webhookOf(facilityId, webhookId);
      const d = await findDelivery(db, webhookId, deliveryId);
      if (!d) throw notFound('delivery');
      await mustBeActive(facilityId, webhook.enabled);
      if (isRetrying(d))
        throw new AppError(
          'conflict',
          'the delivery is waiting for its next retry; retry it to send it now',
          'status',
        );
      if (d.status === 'pending' || d.status === 'blocked' || d.status === 'paused')
        throw new AppError('conflict', 'the delivery is already queued', 'status');
      if (d.is_test === 1)
        throw new AppError('conflict', 'a test trigger is not resent; send a new test', 'test');
      await requeue(webhookId, { id: deliveryId });
      return deliveryOut((await findDelivery(db, webhookId, deliveryId))!);
    },

    /**
     * Every delivery created in [since, until] that has not got through goes out now: the
     * failed (and expired) ones again with a fresh retry cycle, and those still retrying
     * (pending after a failed attempt, as the delivery log's chart counts them) at once.
     */
    async recover(facilityId: string, webhookId: string, since: string, until: string | undefined) {
      const webhook = await webhookOf(facilityId, webhookId);
      await mustBeActive(facilityId, webhook.enabled);
      const window = { since: Date.parse(since), until: until ? Date.parse(until) : undefined };
      // Requeue before retry: the queue's lock order puts sequence rows before deliveries.
      const [resent, retried] = await deps.queue.transaction(async (tx) => [
        await tx.requeue(webhookId, window),
        await tx.retryNow(webhookId, window),
      ]);
      return { recovered: resent! + retried!, resent: resent!, retried: retried! };
    },

    /** A delivery waiting for its next retry is tried now; 409 naming its status otherwise. */
    async retry(facilityId: string, webhookId: string, deliveryId: string) {
      const webhook = await webhookOf(facilityId, webhookId);
      const d = await findDelivery(db, webhookId, deliveryId);
      if (!d) throw notFound('delivery');
      await mustBeActive(facilityId, webhook.enabled);
      // Read back in the same transaction: after its commit a woken dispatcher may already
      // have claimed (or sent) it, and the answer would show that instead of the retry.
      const retried = await deps.queue.transaction(async (tx) =>
        (await tx.retryNow(webhookId, { id: deliveryId })) === 0
          ? undefined
          : findDelivery(tx.trx, webhookId, deliveryId),
      );
      if (!retried) {
        const now = (await findDelivery(db, webhookId, deliveryId)) ?? d;
        throw new AppError('conflict', notRetryable(now), 'status');
      }
      return deliveryOut(retried);
    },

    /** Deliveries per hour over the last `hours` (the current one last), zeros included. */
    async stats(facilityId: string, webhookId: string, hours: number) {
      await webhookOf(facilityId, webhookId);
      const to = Math.floor(deps.clock.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
      const from = to - hours * HOUR_MS;
      const counted = new Map((await countByHour(db, webhookId, from, to)).map((c) => [c.hour, c]));
      const buckets = Array.from({ length: hours }, (_, i) => {
        const hour = from + i * HOUR_MS;
        const c = counted.get(hour);
        return {
          hour: iso(hour),
          delivered: c?.delivered ?? 0,
          failed: c?.failed ?? 0,
          retrying: c?.retrying ?? 0,
          pending: c?.pending ?? 0,
        };
      });
      return { from: iso(from), to: iso(to), buckets };
    },

    /** Every delivery of the webhook waiting for a retry is tried now. */
    async retryAll(facilityId: string, webhookId: string) {
      const webhook = await webhookOf(facilityId, webhookId);
      await mustBeActive(facilityId, webhook.enabled);
      const retried = await deps.queue.transaction((tx) => tx.retryNow(webhookId, 'all'));
      return { retried };
    },

    /**
     * Queues a test trigger and waits for a dispatcher to send it (this process's, or any
     * other's on PostgreSQL), then answers with the attempt; undefined attempt: not sent yet.
     */
    async test(facilityId: string, webhookId: string, input: { event?: EventName; id?: number }) {
      const webhook = await webhookOf(facilityId, webhookId);
      const facility = await findFacility(db, facilityId);
      if (facility?.plan !== 'premium')
        throw new AppError('premium_required', 'Webhooks need the premium plan.');
      const subscribed = webhook.events.split(',') as EventName[];
      const event = input.event ?? subscribed[0]!;
      const queued = await deps.queue.transaction((tx) =>
        tx.enqueueTest({
          webhookId,
          facilityId,
          event,
          resourceType: resourceTypeOf(event),
          resourceId: input.id ?? 0,
        }),
      );
      if ('limited' in queued) throw new TestLimited(queued.limited, queued.retryAfterMs);
      // Long enough for a claim, the attempt's own deadline and the outcome's write.
      const deadline = Date.now() + deps.config.deliveryTimeoutMs + TEST_WAIT_SLACK_MS;
      for (let pause = 25; ; pause = Math.min(pause * 2, 250)) {
        const d = (await findDelivery(db, webhookId, queued.id))!;
        if (d.attempt_count > 0 || Date.now() >= deadline) {
          const [attempt] = d.attempt_count > 0 ? await attemptsOf(db, d.id) : [];
          return { delivery: deliveryOut(d), attempt: attempt ? attemptOut(attempt) : undefined };
        }
        await new Promise((r) => setTimeout(r, pause));
      }
    },
  };
}
