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
export type DeliveriesDeps = Pick<AppDeps, 'store' | 'queue' | 'config'>;

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
      if (d.status === 'pending' || d.status === 'blocked' || d.status === 'paused')
        throw new AppError('conflict', 'the delivery is already queued', 'status');
      if (d.is_test === 1)
        throw new AppError('conflict', 'a test trigger is not resent; send a new test', 'test');
      await requeue(webhookId, { id: deliveryId });
      return deliveryOut((await findDelivery(db, webhookId, deliveryId))!);
    },

    /** Every failed delivery created in [since, until] goes out again. */
    async recover(facilityId: string, webhookId: string, since: string, until: string | undefined) {
      const webhook = await webhookOf(facilityId, webhookId);
      await mustBeActive(facilityId, webhook.enabled);
      const count = await requeue(webhookId, {
        since: Date.parse(since),
        until: until ? Date.parse(until) : undefined,
      });
      return { recovered: count };
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
