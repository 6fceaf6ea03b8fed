import { type Static, Type } from '@sinclair/typebox';
import { EventNameSchema } from '../events/event-names.js';
import { FacilityIdParam, IsoTime } from '../http/schemas.js';

export const WebhookParams = Type.Object({
  facility_id: FacilityIdParam,
  webhook_id: Type.String({ maxLength: 64 }),
});

// `x-messages`: what a person reads beside the form field (http/plain-errors.ts).
const enterUrl = 'Enter the URL of your receiver, starting with https://';
const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'http:// or https:// target URL',
  'x-messages': {
    required: enterUrl,
    minLength: enterUrl,
    maxLength: 'The URL can be at most 2048 characters long',
    type: enterUrl,
  },
});
// RFC 7617: a Basic Auth user-id cannot contain a colon.
const enterUsername = 'Enter the username your receiver expects';
export const Username = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[^:\\r\\n]*$',
  'x-messages': {
    required: enterUsername,
    minLength: enterUsername,
    maxLength: 'The username can be at most 255 characters long',
    pattern: "The username can't contain a colon (:) or a line break",
    type: enterUsername,
  },
});
const enterPassword = 'Enter the password your receiver expects';
export const Password = Type.String({
  minLength: 1,
  maxLength: 1024,
  writeOnly: true,
  description: 'Write-only; never returned',
  'x-messages': {
    required: enterPassword,
    minLength: enterPassword,
    maxLength: 'The password can be at most 1024 characters long',
    type: enterPassword,
  },
});
const chooseEvents = 'Choose at least one event';
const Events = Type.Array(EventNameSchema, {
  minItems: 1,
  uniqueItems: true,
  'x-messages': {
    required: chooseEvents,
    minItems: chooseEvents,
    uniqueItems: 'Choose each event only once',
    type: 'Choose the events as a list, e.g. ["booking_created"]',
  },
});
const Description = Type.String({
  maxLength: 500,
  'x-messages': { maxLength: 'The description can be at most 500 characters long' },
});

// The guarantees a thin trigger makes possible (docs/delivery-guarantees.md).
const Ordering = Type.Union([Type.Literal('per_resource'), Type.Literal('none')], {
  description:
    'per_resource (default): triggers about one booking or order go out in event order, each ' +
    'after the previous one succeeded or finally failed; other resources go in parallel. ' +
    'none: no order.',
});
const CoalesceUpdates = Type.Boolean({
  description:
    'true (default): while an *_UPDATED trigger for a resource waits (queued or waiting for a ' +
    'retry), newer updates of the same resource add no trigger; the waiting one stands for them ' +
    '(event_count in the delivery log).',
});
const SupersedeOnDelete = Type.Boolean({
  description:
    "true (default): a *_DELETED trigger makes the resource's waiting created/updated triggers " +
    '`superseded`; they are not sent. A receiver may then never hear of a resource that no ' +
    'longer exists.',
});
const MaxAgeHours = Type.Union([Type.Integer({ minimum: 1, maximum: 8760 }), Type.Null()], {
  description:
    'A trigger older than this many hours (from the newest event it stands for) is not retried ' +
    'any more and ends `expired`. null (default): the retry schedule decides.',
});
const settings = {
  ordering: Type.Optional(Ordering),
  coalesce_updates: Type.Optional(CoalesceUpdates),
  supersede_on_delete: Type.Optional(SupersedeOnDelete),
  max_age_hours: Type.Optional(MaxAgeHours),
};

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    username: Username,
    password: Password,
    events: Events,
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Description),
    ...settings,
  },
  { additionalProperties: false },
);
export type CreateWebhookInput = Static<typeof CreateWebhookBody>;

export const PatchWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    username: Type.Optional(Username),
    password: Type.Optional(Password),
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Description),
    ...settings,
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchWebhookInput = Static<typeof PatchWebhookBody>;

export const WebhookState = Type.Union(
  [Type.Literal('enabled'), Type.Literal('paused'), Type.Literal('disabled')],
  { description: 'paused: the facility is not on the premium plan; disabled: see disabled_reason' },
);

export const LastDeliverySchema = Type.Object({
  id: Type.String(),
  event: Type.String(),
  status: Type.String(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  at: IsoTime,
});

export const HealthSchema = Type.Object(
  {
    state: Type.Union(
      [
        Type.Literal('healthy'),
        Type.Literal('failing'),
        Type.Literal('disabled'),
        Type.Literal('new'),
      ],
      {
        description:
          'disabled: by a user, the receiver or automatically (see summary); failing: no ' +
          'attempt has succeeded since failing_since; new: nothing has gone through yet; ' +
          'healthy: the latest attempts got through',
      },
    ),
    failing_since: Type.Union([IsoTime, Type.Null()], {
      description: 'The first failed attempt after the last success (test triggers not counted)',
    }),
    failed_attempts: Type.Integer({ description: 'Attempts failed since failing_since' }),
    last_error: Type.Union([Type.String(), Type.Null()], {
      description:
        'While failing, the latest failure in plain words: "HTTP 500", "DNS error: no such ' +
        'host", "timed out after 10 s", "connection refused"',
    }),
    next_attempt_at: Type.Union([IsoTime, Type.Null()], {
      description: 'The earliest next try of a delivery waiting for a retry',
    }),
    summary: Type.String({
      description:
        'One sentence for a person, e.g. "Failing since 12:03 UTC (14 attempts, last: HTTP ' +
        '500); next try at 12:40 UTC". The CLI prints the same words.',
    }),
  },
  { title: 'WebhookHealth' },
);

export const WebhookSchema = Type.Object(
  {
    id: Type.String(),
    facility_id: Type.String(),
    url: Type.String(),
    username: Type.String({ description: 'Empty for a subscription without Basic Auth' }),
    kind: Type.Union([Type.Literal('manual'), Type.Literal('subscription')], {
      description:
        'subscription: added by an automation platform (Zapier, Make) with POST …/subscriptions ' +
        'and removed by its DELETE; manual: added here or in the settings UI',
    }),
    events: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    state: WebhookState,
    disabled_reason: Type.Union([Type.String(), Type.Null()]),
    disabled_at: Type.Union([IsoTime, Type.Null()]),
    failing_since: Type.Union([IsoTime, Type.Null()]),
    description: Type.String(),
    ordering: Ordering,
    coalesce_updates: CoalesceUpdates,
    supersede_on_delete: SupersedeOnDelete,
    max_age_hours: MaxAgeHours,
    signing_secret_rotation: Type.Union(
      [
        Type.Object({
          previous_expires_at: IsoTime,
        }),
        Type.Null(),
      ],
      {
        description:
          'While a rotated-out signing secret is still signed with: when it stops. Both ' +
          'signatures go in webhook-signature until then.',
      },
    ),
    credentials_rotation: Type.Union(
      [
        Type.Object({
          previous_username: Type.String(),
          previous_expires_at: IsoTime,
          receiver_accepts: Type.Union([Type.Literal('new'), Type.Literal('old'), Type.Null()], {
            description:
              'Which credentials the receiver took last (null: no delivery since the rotation)',
          }),
        }),
        Type.Null(),
      ],
      {
        description:
          'While rotated-out Basic-Auth credentials are still tried after a 401/403: the old ' +
          'username, when they are dropped, and which ones the receiver accepts.',
      },
    ),
    created_at: IsoTime,
    updated_at: IsoTime,
    last_delivery: Type.Union([LastDeliverySchema, Type.Null()]),
    health: HealthSchema,
  },
  { title: 'Webhook' },
);
export type WebhookOut = Static<typeof WebhookSchema>;

export const CreatedWebhookSchema = Type.Intersect(
  [
    WebhookSchema,
    Type.Object({
      signing_secret: Type.String({
        description:
          'Standard Webhooks secret (whsec_…) for the webhook-signature header; shown on creation',
      }),
    }),
  ],
  { title: 'CreatedWebhook' },
);
