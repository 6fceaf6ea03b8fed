// REST-hook subscriptions, as Zapier's REST Hook triggers and Make's instant triggers use them.
import { type Static, Type } from '@sinclair/typebox';
import { EventNameSchema } from '../events/event-names.js';
import { FacilityIdParam, IsoTime } from '../http/schemas.js';

export const SubscriptionParams = Type.Object({
  facility_id: FacilityIdParam,
  subscription_id: Type.String({ maxLength: 64 }),
});

export const SubscribeBody = Type.Object(
  {
    target_url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        "Where to POST the triggers: Zapier's {{bundle.targetUrl}}, Make's {{webhook.url}}",
    }),
    event: EventNameSchema,
    username: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[^:\\r\\n]*$',
        description:
          'Optional Basic Auth, with password. Without them no Authorization header is sent: ' +
          "the platforms' URLs carry their own secret",
      }),
    ),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        writeOnly: true,
        description: 'With username; stored encrypted, never returned',
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type SubscribeInput = Static<typeof SubscribeBody>;

export const SubscriptionSchema = Type.Object(
  {
    id: Type.String({
      description: 'Keep it to unsubscribe: it is also the id of the webhook it made',
    }),
    facility_id: Type.String(),
    target_url: Type.String(),
    event: Type.String(),
    basic_auth: Type.Boolean({ description: 'Whether triggers carry Basic Auth' }),
    created_at: IsoTime,
  },
  { title: 'Subscription' },
);
export type SubscriptionOut = Static<typeof SubscriptionSchema>;

export const SampleQuery = Type.Object(
  {
    event: EventNameSchema,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
);
export type SampleInput = Static<typeof SampleQuery>;

/** Exactly the body every trigger POSTs. */
export const TriggerSchema = Type.Object(
  {
    id: Type.Integer({ description: 'The booking or order id; 0 in the example' }),
    facility_id: Type.String(),
    action: Type.String({ description: 'BOOKING_CREATED, …' }),
  },
  { title: 'Trigger' },
);
