// A subscription is a webhook for one event, made and removed by an automation platform. It
// is created through the webhooks service, so it gets the same SSRF check, plan gating,
// per-facility limit, signing secret, delivery log and retries as a hand-made webhook.
import { AppError, notFound } from '../errors.js';
import { actionOf } from '../events/event-names.js';
import { findFacility } from '../facilities/facilities.repository.js';
import { type WebhooksDeps, webhooksService } from '../webhooks/webhooks.service.js';
import { deleteSubscription, recentEvents } from './subscriptions.repository.js';
import type { SampleInput, SubscribeInput, SubscriptionOut } from './subscriptions.schemas.js';

const SUBSCRIPTION = { kind: 'subscription', urlField: 'target_url' } as const;

const PREMIUM_ONLY =
  'Subscriptions are webhooks, which need the premium plan. Upgrade this facility to use them.';

export interface Trigger {
  id: number;
  facility_id: string;
  action: string;
}

/** Basic Auth is optional, but never half: a username without a password is a mistake. */
function credentialsOf(input: SubscribeInput): { username: string; password: string } {
  const { username, password } = input;
  if (username === undefined && password === undefined) return { username: '', password: '' };
  if (username === undefined) {
    throw new AppError('validation_failed', 'a password needs a username', 'username');
  }
  if (password === undefined) {
    throw new AppError('validation_failed', 'a username needs a password', 'password');
  }
  return { username, password };
}

/** What the service needs, and all it may touch. */
export type SubscriptionsDeps = WebhooksDeps;

export function subscriptionsService(deps: SubscriptionsDeps) {
  const webhooks = webhooksService(deps);
  const db = deps.store.db;

  return {
    async subscribe(facilityId: string, input: SubscribeInput): Promise<SubscriptionOut> {
      const credentials = credentialsOf(input);
      const created = await webhooks.create(
        facilityId,
        {
          url: input.target_url,
          ...credentials,
          events: [input.event],
          description: input.description ?? '',
        },
        SUBSCRIPTION,
      );
      return {
        id: created.id,
        facility_id: created.facility_id,
        target_url: created.url,
        event: input.event,
        basic_auth: credentials.username !== '',
        created_at: created.created_at,
      };
    },

    async unsubscribe(facilityId: string, id: string): Promise<void> {
      if (!(await deleteSubscription(db, facilityId, id))) throw notFound('subscription');
    },

    /**
     * The latest triggers of one event, as they were sent, newest first: what the platforms
     * show while a user sets up a trigger, and what a polling fallback reads. With none yet,
     * one example with id 0 (which no booking or order has), as "Send test" sends.
     */
    async sample(facilityId: string, query: SampleInput): Promise<Trigger[]> {
      const facility = await findFacility(db, facilityId);
      if (!facility) throw notFound('facility');
      if (facility.plan !== 'premium') throw new AppError('premium_required', PREMIUM_ONLY);
      const rows = await recentEvents(db, facilityId, query.event, query.limit ?? 10);
      if (rows.length === 0) {
        return [{ id: 0, facility_id: facilityId, action: actionOf(query.event) }];
      }
      return rows.map((r) => ({
        id: r.resource_id,
        facility_id: facilityId,
        action: actionOf(r.event),
      }));
    },
  };
}
