// What the API answers, named for the UI: every type is taken from src/api-types.ts, which
// is generated from the server's /openapi.json (scripts/api-types.ts), so a schema change
// on the server shows up here as a type error instead of a silently wrong page.
import type { paths } from './api-types';

export type { List } from './api';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON body of a path's answer with this method and status. */
type Answer<
  P extends keyof paths,
  M extends 'get' | 'post' | 'patch',
  S extends number,
> = paths[P][M] extends { responses: infer Rs }
  ? S extends keyof Rs
    ? Json<Rs[S]>
    : never
  : never;
type Query<P extends keyof paths> = paths[P]['get'] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

const F = '/v1/facility/{facility_id}';
const W = `${F}/webhooks/{webhook_id}`;
type F = typeof F;
type W = typeof W;

/** The deliveries list filters by these: the server's own lists of events and statuses. */
type DeliveriesQuery = Query<`${W}/deliveries`>;
export type EventName = NonNullable<DeliveriesQuery['event']>;
export type DeliveryStatus = NonNullable<DeliveriesQuery['status']>;

export type Facility = Answer<F, 'get', 200>;
export type Webhook = Answer<W, 'get', 200>;
export type WebhookHealth = Webhook['health'];
export type Delivery = Answer<`${W}/deliveries`, 'get', 200>['objects'][number];
export type DeliveryWithAttempts = Answer<`${W}/deliveries/{delivery_id}`, 'get', 200>;
export type Attempt = DeliveryWithAttempts['attempts'][number];
export type TestAnswer = Answer<`${W}/test`, 'post', 200>;
export type RecoverAnswer = Answer<`${W}/recover`, 'post', 202>;
export type RetryAllAnswer = Answer<`${W}/retry`, 'post', 202>;
export type Stats = Answer<`${W}/stats`, 'get', 200>;
export type ApiKey = Answer<`${F}/api-keys`, 'get', 200>['objects'][number];
export type Booking = Answer<`${F}/bookings`, 'get', 200>['objects'][number];
export type Order = Answer<`${F}/productorders`, 'get', 200>['objects'][number];
export type OrderItem = Order['items'][number];
export type Address = NonNullable<Order['address']>;
export type Session = Answer<'/v1/session', 'get', 200>;
